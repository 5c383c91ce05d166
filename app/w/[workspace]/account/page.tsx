import type { Metadata } from "next";
import { AccountForms } from "@/components/account/account-forms";
import { PageHeader } from "@/components/shell/page-header";
import { workspacePageContext } from "@/lib/access/page";
import { db } from "@/lib/db/client";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const ctx = await workspacePageContext(slug);
  const user = await db.user.findUniqueOrThrow({ where: { id: ctx.actor.id }, select: { email: true, passwordHash: true } });
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <PageHeader title="Account" description={`Signed in as ${user.email}.`} />
      <AccountForms hasPassword={user.passwordHash !== null} />
    </div>
  );
}
