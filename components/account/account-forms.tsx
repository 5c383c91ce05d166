"use client";

import { signOut } from "next-auth/react";
import { useRef } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { changePasswordAction, signOutEverywhereAction } from "@/lib/auth/actions";

export function AccountForms({ hasPassword }: { hasPassword: boolean }) {
  const form = useRef<HTMLFormElement>(null);
  const change = useAction(changePasswordAction);
  const everywhere = useAction(signOutEverywhereAction);

  async function onChange(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const result = await change.run({ current: String(data.get("current") ?? ""), password: String(data.get("password") ?? "") });
    if (!result.ok) return;
    form.current?.reset();
    toast.success("Password changed. Your other devices are signed out.");
  }

  async function onSignOutEverywhere() {
    const result = await everywhere.run({});
    if (result.ok) await signOut({ callbackUrl: "/sign-in" });
  }

  return (
    <>
      <Card>
        <CardHeader>
          <CardTitle>{hasPassword ? "Change password" : "Set a password"}</CardTitle>
          <CardDescription>Signs you out on every other device. You stay signed in here.</CardDescription>
        </CardHeader>
        <CardContent>
          <form ref={form} onSubmit={onChange} className="space-y-4" noValidate>
            <FormError message={change.error && !change.error.fieldErrors ? change.error.message : undefined} />
            {hasPassword && (
              <Field label="Current password" htmlFor="current" error={change.fieldErrors.current}>
                <Input id="current" name="current" type="password" autoComplete="current-password" required />
              </Field>
            )}
            <Field
              label="New password"
              htmlFor="password"
              error={change.fieldErrors.password}
              hint="At least 10 characters, and not one of the commonly used passwords."
            >
              <Input id="password" name="password" type="password" autoComplete="new-password" required />
            </Field>
            <Button type="submit" disabled={change.pending}>
              {change.pending ? "Saving…" : hasPassword ? "Change password" : "Set password"}
            </Button>
          </form>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Sessions</CardTitle>
          <CardDescription>Lost a laptop, or signed in on a shared computer? End every session of your account, this one included.</CardDescription>
        </CardHeader>
        <CardContent className="space-y-3">
          <FormError message={everywhere.error?.message} />
          <Button variant="outline" onClick={onSignOutEverywhere} disabled={everywhere.pending}>
            {everywhere.pending ? "Signing out…" : "Sign out everywhere"}
          </Button>
        </CardContent>
      </Card>
    </>
  );
}
