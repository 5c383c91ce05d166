"use client";

import { Trash2 } from "lucide-react";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { ROLE_LABELS, type Role } from "@/lib/access/permissions";
import { changeMemberRoleAction, removeMemberAction } from "@/lib/workspaces/actions";

type Member = { id: string; role: Role; user: { id: string; email: string; name: string | null }; since: string };

type Props = {
  workspaceId: string;
  currentUserId: string;
  canManage: boolean;
  isOwner: boolean;
  assignable: Role[];
  members: Member[];
};

export function MemberList({ workspaceId, currentUserId, canManage, isOwner, assignable, members }: Props) {
  const roleChange = useAction(changeMemberRoleAction);
  const removal = useAction(removeMemberAction);

  return (
    <div className="space-y-3">
      <FormError message={roleChange.error?.message ?? removal.error?.message} />
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Member</TableHead>
            <TableHead className="w-40">Role</TableHead>
            <TableHead className="w-32">Joined</TableHead>
            {canManage && <TableHead className="w-12" />}
          </TableRow>
        </TableHeader>
        <TableBody>
          {members.map((member) => {
            const editable = canManage && member.user.id !== currentUserId && (isOwner || member.role !== "owner");
            return (
              <TableRow key={member.id} data-testid={`member-${member.user.email}`}>
                <TableCell>
                  <div className="font-medium">{member.user.name ?? member.user.email}</div>
                  <div className="text-xs text-muted-foreground">{member.user.email}</div>
                </TableCell>
                <TableCell>
                  {editable ? (
                    <NativeSelect
                      aria-label={`Role of ${member.user.email}`}
                      defaultValue={member.role}
                      disabled={roleChange.pending}
                      onChange={(event) =>
                        roleChange.run({ workspaceId, membershipId: member.id, role: event.target.value as Role }, () => toast.success("Role changed."))
                      }
                    >
                      {assignable.map((role) => (
                        <option key={role} value={role}>
                          {ROLE_LABELS[role]}
                        </option>
                      ))}
                    </NativeSelect>
                  ) : (
                    <Badge variant="secondary">{ROLE_LABELS[member.role]}</Badge>
                  )}
                </TableCell>
                <TableCell className="text-sm text-muted-foreground">{new Date(member.since).toLocaleDateString()}</TableCell>
                {canManage && (
                  <TableCell>
                    {editable && (
                      <ConfirmButton
                        title={`Remove ${member.user.email}?`}
                        description="They lose access to this workspace and its projects at once. Their past work stays."
                        confirmLabel="Remove"
                        onConfirm={() => removal.run({ workspaceId, membershipId: member.id }, () => toast.success("Member removed."))}
                      >
                        <Button variant="ghost" size="icon" aria-label={`Remove ${member.user.email}`}>
                          <Trash2 className="size-4" />
                        </Button>
                      </ConfirmButton>
                    )}
                  </TableCell>
                )}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
