"use client";

import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ROLE_LABELS, type Role } from "@/lib/access/permissions";
import { revokeInvitationAction } from "@/lib/workspaces/actions";

type Invitation = { id: string; email: string; role: Role; state: "pending" | "accepted" | "revoked" | "expired"; expiresAt: string };

const STATE_TONE = { pending: "warning", accepted: "success", revoked: "secondary", expired: "secondary" } as const;

export function InvitationList({ workspaceId, invitations }: { workspaceId: string; invitations: Invitation[] }) {
  const revoke = useAction(revokeInvitationAction);
  return (
    <div className="space-y-3">
      <FormError message={revoke.error?.message} />
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Email</TableHead>
            <TableHead>Role</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Expires</TableHead>
            <TableHead className="w-24" />
          </TableRow>
        </TableHeader>
        <TableBody>
          {invitations.map((inv) => (
            <TableRow key={inv.id} data-testid={`invitation-${inv.email}`}>
              <TableCell>{inv.email}</TableCell>
              <TableCell>{ROLE_LABELS[inv.role]}</TableCell>
              <TableCell>
                <Badge variant={STATE_TONE[inv.state]}>{inv.state}</Badge>
              </TableCell>
              <TableCell className="text-sm text-muted-foreground">{new Date(inv.expiresAt).toLocaleDateString()}</TableCell>
              <TableCell>
                {inv.state === "pending" && (
                  <Button variant="outline" size="sm" disabled={revoke.pending} onClick={() => revoke.run({ workspaceId, invitationId: inv.id })}>
                    Revoke
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
