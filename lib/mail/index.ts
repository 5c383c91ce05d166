// Outgoing email over SMTP, when SMTP_URL is configured. Without it, callers show links instead.
import nodemailer from "nodemailer";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";

const log = logger("mail");

export function mailConfigured(): boolean {
  return Boolean(env().SMTP_URL);
}

/** Sends a plain-text email; returns false when SMTP is not configured or sending failed. */
export async function sendMail(message: { to: string; subject: string; text: string }): Promise<boolean> {
  const url = env().SMTP_URL;
  if (!url) return false;
  try {
    const transport = nodemailer.createTransport(url);
    await transport.sendMail({ from: env().SMTP_FROM, ...message });
    return true;
  } catch (error) {
    log.warn(`Could not send email to ${message.to}: ${(error as Error).message}`);
    return false;
  }
}
