// Fair latency across sessions (issue 16): a client that pipelines many frames
// cannot hold the server while another session's frame waits. Its requests
// after the first each wait one turn of the event loop, so another socket's
// frame, arriving meanwhile, is answered after a few of the burst's replies,
// not after all of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server/index.js";
import { RawSocket, startTestServer } from "./helpers.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe("fair latency", () => {
  it("a pipelined burst on one socket does not starve another socket", async () => {
    const busy = await RawSocket.open(server.url);
    const other = await RawSocket.open(server.url);
    await other.sendJson({ type: "reset", data: { seed: 2 } });
    const burst = 60;
    let before = -1;
    const reply = other.next().then((text) => {
      before = busy.frames.length; // burst replies already received when the other one lands
      return text;
    });
    for (let i = 0; i < burst; i++)
      busy.ws.send(JSON.stringify({ type: "reset", data: { seed: i } }));
    // Sent once the burst is on its way: the server is busy with it when this arrives.
    await new Promise((r) => setTimeout(r, 5));
    other.ws.send(JSON.stringify({ type: "state" }));
    expect(JSON.parse((await reply)!).type).toBe("state");
    let received = 0;
    while (received < burst && (await busy.next()) !== null) received++;
    expect(received).toBe(burst); // every frame of the burst still answered, in order
    expect(before).toBeGreaterThanOrEqual(0);
    expect(before).toBeLessThan(burst / 2);
    busy.ws.close();
    other.ws.close();
  });
});
