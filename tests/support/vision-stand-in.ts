// A stand-in vision model for the fake LLM server: it reads the image it is sent with the
// machine's Tesseract, so what comes back is the text of the page the product rendered and sent,
// not a canned answer; NO_TEXT for an image without text, as the OCR prompt asks.
import sharp from "sharp";
import { recognize } from "@/lib/ingest/ocr";
import type { FakeMessage, FakeResponder } from "./fake-llm";

/** A responder reading each request's first image; `onImage` sees the prompt and the image sent. */
export function visionStandIn(onImage: (prompt: string, image: Buffer) => void = () => {}): FakeResponder {
  return async (messages: FakeMessage[]) => {
    const message = messages.find((m) => m.images?.length);
    if (!message?.images) return "This request had no image.";
    onImage(message.content, message.images[0]);
    // Tesseract reads grey (a colour page with a tinted background comes back empty).
    const grey = await sharp(message.images[0]).greyscale().png().toBuffer();
    const text = (await recognize(grey, { languages: "eng" })).map((p) => p.text).join("\n\n");
    return text.trim() ? text : "NO_TEXT";
  };
}
