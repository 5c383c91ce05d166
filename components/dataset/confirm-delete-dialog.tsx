"use client";

import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";

/** "Delete N …?" with what stays and goes, the action's error, Cancel and a destructive confirm. */
export function ConfirmDeleteDialog(props: {
  open: boolean;
  onOpenChange(open: boolean): void;
  /** "3 duplicates": the title asks "Delete 3 duplicates?" and the button says "Delete 3 duplicates". */
  what: string;
  description: React.ReactNode;
  error?: string;
  pending: boolean;
  onConfirm(): void;
  testId: string;
}) {
  return (
    <AlertDialog open={props.open} onOpenChange={props.onOpenChange}>
      <AlertDialogContent data-testid={props.testId}>
        <AlertDialogHeader>
          <AlertDialogTitle>Delete {props.what}?</AlertDialogTitle>
          <AlertDialogDescription>{props.description}</AlertDialogDescription>
        </AlertDialogHeader>
        <FormError message={props.error} />
        <AlertDialogFooter>
          <AlertDialogCancel>Cancel</AlertDialogCancel>
          <Button variant="destructive" disabled={props.pending} onClick={props.onConfirm}>
            Delete {props.what}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
