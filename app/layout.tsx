import type { Metadata } from "next";
import { themeInitScript } from "@/components/ui/theme-toggle";
import { Toaster } from "@/components/ui/toast";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "FineTuneFlow", template: "%s · FineTuneFlow" },
  description: "Turn your team's documents into a fine-tuned LLM.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: our own constant script (the theme before first paint), no user input */}
        <script dangerouslySetInnerHTML={{ __html: themeInitScript }} />
      </head>
      <body className="min-h-screen antialiased">
        {children}
        <Toaster position="top-center" />
      </body>
    </html>
  );
}
