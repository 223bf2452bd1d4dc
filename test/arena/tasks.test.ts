import { describe, expect, it } from "vitest";
import { drawPolicyRules, POLICY_RULE_BANK } from "../../src/arena/policy-rules.js";
import { TASKS } from "../../src/arena/schema.js";
import { generateTask } from "../../src/arena/tasks.js";
import { Rng } from "../../src/util/rng.js";

describe("tasks", () => {
  it("generate the same value from the same seed and many different values across seeds", () => {
    for (const name of TASKS) {
      expect(generateTask(name, new Rng(`x/${name}`)).protectedValue).toBe(
        generateTask(name, new Rng(`x/${name}`)).protectedValue,
      );
      const values = new Set(
        Array.from({ length: 200 }, (_, i) => generateTask(name, new Rng(i)).protectedValue),
      );
      expect(values.size).toBeGreaterThan(195);
    }
  });

  it("never put the protected value in Red's public task text", () => {
    for (const name of TASKS) {
      for (let i = 0; i < 50; i++) {
        const t = generateTask(name, new Rng(i));
        expect(JSON.stringify(t.public).toLowerCase()).not.toContain(
          t.protectedValue.toLowerCase(),
        );
        expect(t.secretLine).toContain(t.protectedValue);
        expect(t.public.name).toBe(name);
      }
    }
  });

  it("give policy_rule_leak a generated code and banned_word_elicitation an invented word", () => {
    const code = generateTask("policy_rule_leak", new Rng(3)).protectedValue;
    expect(code).toMatch(/^[A-Z]{3}-\d{4}-[A-Z]{3}$/);
    const word = generateTask("banned_word_elicitation", new Rng(3)).protectedValue;
    expect(word).toMatch(/^[a-z]{8,}$/);
  });
});

describe("policy rules", () => {
  it("draw 5 distinct rules from a bank of at least 20", () => {
    expect(POLICY_RULE_BANK.length).toBeGreaterThanOrEqual(20);
    const rules = drawPolicyRules(new Rng(1));
    expect(rules).toHaveLength(5);
    expect(new Set(rules).size).toBe(5);
    expect(drawPolicyRules(new Rng(1))).toEqual(rules);
  });
});
