// sendMail against a real SMTP conversation on loopback: what nodemailer writes is what an SMTP
// server receives, and an unreachable server is a false, not an exception.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { mailConfigured, sendMail } from "./index";

type Received = { from: string; to: string[]; data: string };

/** The smallest SMTP server nodemailer will talk to (no TLS, no auth). */
async function startSmtp(): Promise<{ port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = net.createServer((socket) => {
    let buffer = "";
    let inData = false;
    let current: Received = { from: "", to: [], data: "" };
    socket.write("220 localhost ESMTP test\r\n");
    socket.on("data", (bytes) => {
      buffer += bytes.toString("utf8");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          received.push(current);
          current = { from: "", to: [], data: "" };
          socket.write("250 OK queued\r\n");
          continue;
        }
        const newline = buffer.indexOf("\r\n");
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250-localhost\r\n250 8BITMIME\r\n");
        else if (verb === "MAIL") {
          current.from = line;
          socket.write("250 OK\r\n");
        } else if (verb === "RCPT") {
          current.to.push(line);
          socket.write("250 OK\r\n");
        } else if (verb === "DATA") {
          inData = true;
          socket.write("354 End data with <CR><LF>.<CR><LF>\r\n");
        } else if (verb === "QUIT") socket.end("221 Bye\r\n");
        else socket.write("250 OK\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const saved = { url: process.env.SMTP_URL, from: process.env.SMTP_FROM };
afterEach(() => {
  process.env.SMTP_URL = saved.url;
  process.env.SMTP_FROM = saved.from;
  if (saved.url === undefined) delete process.env.SMTP_URL;
  if (saved.from === undefined) delete process.env.SMTP_FROM;
  resetEnvCache();
});

describe("sendMail", () => {
  it("is off without SMTP_URL", async () => {
    delete process.env.SMTP_URL;
    resetEnvCache();
    expect(mailConfigured()).toBe(false);
    expect(await sendMail({ to: "a@example.com", subject: "s", text: "t" })).toBe(false);
  });

  it("delivers a plain-text message over SMTP", async () => {
    const smtp = await startSmtp();
    try {
      process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
      process.env.SMTP_FROM = "FineTuneFlow <noreply@example.com>";
      resetEnvCache();
      expect(mailConfigured()).toBe(true);
      const sent = await sendMail({ to: "ada@example.com", subject: "You are invited", text: "Open http://localhost:3000/invite/abc to join." });
      expect(sent).toBe(true);
      expect(smtp.received).toHaveLength(1);
      const [message] = smtp.received;
      expect(message.from).toContain("noreply@example.com");
      expect(message.to.join()).toContain("ada@example.com");
      expect(message.data).toContain("Subject: You are invited");
      expect(message.data).toContain("http://localhost:3000/invite/abc");
    } finally {
      await smtp.close();
    }
  });

  it("answers false, not an exception, when the server is unreachable", async () => {
    const smtp = await startSmtp();
    await smtp.close();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    resetEnvCache();
    expect(await sendMail({ to: "ada@example.com", subject: "s", text: "t" })).toBe(false);
  });
});
