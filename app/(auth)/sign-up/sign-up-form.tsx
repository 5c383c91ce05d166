"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { signUpAction } from "@/lib/auth/actions";

type Props = {
  invitation?: { token: string; email: string; workspaceName: string };
  callbackUrl?: string;
};

export function SignUpForm({ invitation, callbackUrl }: Props) {
  const router = useRouter();
  const { run, pending, error, fieldErrors } = useAction(signUpAction);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    const result = await run({ name: String(form.get("name") ?? ""), email, password, invitationToken: invitation?.token });
    if (!result.ok) return;
    await signIn("credentials", { email, password, redirect: false });
    router.replace(callbackUrl ?? `/w/${result.data.workspaceSlug}`);
    router.refresh();
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Create your account</CardTitle>
        <CardDescription>
          {invitation ? (
            <>
              You were invited to <span className="font-medium text-foreground">{invitation.workspaceName}</span>.
            </>
          ) : (
            "You get a personal workspace; invite your team to it later."
          )}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <FormError message={error && !error.fieldErrors ? error.message : undefined} />
          <Field label="Name" htmlFor="name" error={fieldErrors.name}>
            <Input id="name" name="name" autoComplete="name" required autoFocus />
          </Field>
          <Field label="Email" htmlFor="email" error={fieldErrors.email}>
            <Input id="email" name="email" type="email" autoComplete="email" required defaultValue={invitation?.email} readOnly={Boolean(invitation)} />
          </Field>
          <Field label="Password" htmlFor="password" error={fieldErrors.password} hint="At least 10 characters, and not one of the commonly used passwords.">
            <Input id="password" name="password" type="password" autoComplete="new-password" required />
          </Field>
          <Button type="submit" className="w-full" disabled={pending}>
            {pending ? "Creating account…" : "Create account"}
          </Button>
        </form>
      </CardContent>
      <CardFooter className="justify-center text-sm text-muted-foreground">
        Already have an account?&nbsp;
        <Link
          href={invitation ? `/sign-in?callbackUrl=${encodeURIComponent(`/invite/${invitation.token}`)}` : "/sign-in"}
          className="font-medium text-foreground underline underline-offset-4"
        >
          Sign in
        </Link>
      </CardFooter>
    </Card>
  );
}
