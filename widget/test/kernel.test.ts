import { describe, expect, it } from "vitest";
import { KernelLink } from "../src/shared/kernel";
import { NoAnswer, type Reply, type Rpc } from "../src/shared/rpc";

/** An Rpc stand-in: pings resolve or reject as the test says; `hear` plays a kernel message. */
function fakeRpc() {
  const pings: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  let hearer = () => {};
  const rpc = {
    request: () => new Promise<Reply>((resolve, reject) => pings.push({ resolve, reject })),
    heard: (fn: () => void) => {
      hearer = fn;
    },
  };
  return { rpc: rpc as unknown as Rpc, pings, hear: () => hearer() };
}

describe("KernelLink", () => {
  it("pings once for concurrent questions, and again after a silence", async () => {
    const { rpc, pings } = fakeRpc();
    const link = new KernelLink(rpc, () => {});
    expect(link.live).toBeNull();
    const a = link.answers();
    const b = link.answers();
    expect(pings.length).toBe(1);
    pings[0].reject(new NoAnswer());
    expect(await a).toBe(false);
    expect(await b).toBe(false);
    expect(link.live).toBe(false);
    const c = link.answers(); // asked again: the kernel may have been busy
    expect(pings.length).toBe(2);
    pings[1].resolve({ content: {}, buffers: [] });
    expect(await c).toBe(true);
    expect(await link.answers()).toBe(true);
    expect(pings.length).toBe(2); // no ping while it answers
  });

  it("counts any message as an answer and says when the kernel is back", async () => {
    const { rpc, pings, hear } = fakeRpc();
    let back = 0;
    const link = new KernelLink(rpc, () => back++);
    hear();
    expect(link.live).toBe(true);
    expect(back).toBe(0); // it was never gone
    link.lost();
    hear();
    expect(link.live).toBe(true);
    expect(back).toBe(1);
    expect(await link.answers()).toBe(true);
    expect(pings.length).toBe(0);
  });
});
