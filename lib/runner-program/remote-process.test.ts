import { describe, expect, it } from "vitest";
import type { RunnerConnection, RunnerRecord } from "@/lib/runners";
import { RemoteProcess, stopWaitMs } from "./remote-process";

describe("the patience of a cancel", () => {
  it("is a minute, or three measured steps and half a minute more for slow steps", () => {
    expect(stopWaitMs(undefined)).toBe(60_000);
    expect(stopWaitMs(2.5)).toBe(60_000);
    expect(stopWaitMs(40)).toBe(150_000);
  });
});

describe("an operation on a link that drops", () => {
  // A connection whose reads never answer (a request lost with the link), closed on demand.
  function hangingConnection(answer?: Buffer) {
    const dropped = new AbortController();
    const conn = {
      closed: dropped.signal,
      readFrom: () => (answer ? Promise.resolve(answer) : new Promise<Buffer>(() => {})),
      close: async () => {},
    } as unknown as RunnerConnection;
    return { conn, drop: () => dropped.abort(new Error("gone")) };
  }

  function remoteOn(first: RunnerConnection, next: RunnerConnection) {
    const logs: string[] = [];
    const ctx = { signal: new AbortController().signal, log: (_level: string, message: string) => logs.push(message) };
    const runner = { name: "box" } as RunnerRecord;
    const remote = new RemoteProcess(ctx, runner, "/w/runs/r", { events: "events.jsonl", stderr: "stderr.log" }, 0);
    remote.conn = first;
    remote.connect = async () => {
      remote.conn = next;
    };
    return { remote, logs };
  }

  it("fails the moment its connection closes, and reads on after re-connecting", async () => {
    const event = { type: "log", time: "2026-11-23T10:00:00Z", level: "info", message: "step 5" };
    const first = hangingConnection();
    const { remote, logs } = remoteOn(first.conn, hangingConnection(Buffer.from(`${JSON.stringify(event)}\n`)).conn);
    const reading = remote.read();
    first.drop();
    expect((await reading).events).toEqual([event]);
    expect(logs).toEqual(["Lost the link to box; re-connecting. The process goes on on the box.", "Re-connected to box; reading on from byte 0."]);
  });

  it("gives up on a link that stays up but does not answer, and re-connects", async () => {
    const first = hangingConnection();
    const { remote, logs } = remoteOn(first.conn, hangingConnection(Buffer.from("ok")).conn);
    const bytes = await remote.withLink((conn) => conn.readFrom("/w/runs/r/x", 0, 10), { answerWithinMs: 50 });
    expect(bytes.toString()).toBe("ok");
    expect(logs[0]).toMatch(/^Lost the link to box/);
  });
});
