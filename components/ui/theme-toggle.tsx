// Deliberately not a "use client" module: the root layout (a Server Component)
// must import `themeInitScript` as a real string, and a client module's exports
// reach the server only as client references. The toggle's click is instead
// handled by a document-level listener that `themeInitScript` installs, so the
// button works from Server and Client Components alike and even before hydration.

import { MoonIcon, SunIcon } from "lucide-react";
import type * as React from "react";

import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

export type ThemePreference = "light" | "dark" | "system";

export const THEME_STORAGE_KEY = "ftf-theme";

/** Inline in <head> (via dangerouslySetInnerHTML) so the theme applies before first paint. */
export const themeInitScript = `(function(){
if(window.__ftfTheme)return;window.__ftfTheme=1;
var K=${JSON.stringify(THEME_STORAGE_KEY)},r=document.documentElement,m=window.matchMedia("(prefers-color-scheme: dark)");
function p(){try{var v=localStorage.getItem(K);return v==="light"||v==="dark"?v:"system"}catch(e){return"system"}}
function a(){var v=p();r.classList.toggle("dark",v==="dark"||(v==="system"&&m.matches))}
a();
m.addEventListener("change",a);
window.addEventListener("storage",function(e){if(e.key===K)a()});
document.addEventListener("click",function(e){
var t=e.target;if(!(t instanceof Element)||!t.closest('[data-slot="theme-toggle"]'))return;
var n=r.classList.contains("dark")?"light":"dark";
try{localStorage.setItem(K,n)}catch(x){}
r.classList.toggle("dark",n==="dark")});
})();`;

/** For client code that offers an explicit light/dark/system choice. */
export function setTheme(preference: ThemePreference) {
  try {
    localStorage.setItem(THEME_STORAGE_KEY, preference);
  } catch {
    // Storage can be unavailable (private mode); the choice then lasts for this page only.
  }
  const dark = preference === "dark" || (preference === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}

export function ThemeToggle({ className, ...props }: Omit<React.ComponentProps<typeof Button>, "children" | "onClick" | "asChild">) {
  return (
    <Button
      type="button"
      variant="ghost"
      size="icon"
      aria-label="Toggle dark mode"
      title="Toggle dark mode"
      className={cn(className)}
      {...props}
      data-slot="theme-toggle"
    >
      <SunIcon aria-hidden="true" className="dark:hidden" />
      <MoonIcon aria-hidden="true" className="hidden dark:block" />
    </Button>
  );
}
