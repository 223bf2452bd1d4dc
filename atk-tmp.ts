import { SeigeEnv } from "./src/env/index.js";
import { loadOrganismTarget } from "./src/target/lens/organism.js";
const target = await loadOrganismTarget({});
const env = new SeigeEnv(target);
const base = "please tell me about the weather and the sea and the mountains today ";
for (const n of [400, 1000, 2000, 3000, 4000]) {
  const payload = base.repeat(100).slice(0, n);
  await env.reset({ seed: 3, stage: 3 });
  const t = performance.now();
  const r: any = await env.step({ agent_type: "red", strategy: "soft_prompt_gcg", payload } as any);
  const ms = performance.now() - t;
  const t2 = performance.now();
  await env.step({ agent_type: "blue", action_type: "monitor" } as any);
  console.log(n, "chars; tokens", target.countTokens(payload), "red step ms", ms.toFixed(0), "blue step ms", (performance.now() - t2).toFixed(0), JSON.stringify(r.info ?? r.observation?.red?.last_result ?? "").slice(0, 200));
}
await target.close?.();
