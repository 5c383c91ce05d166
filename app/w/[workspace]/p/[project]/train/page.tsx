import { EmptyState } from "@/components/ui/empty-state";
import { projectPageContext } from "@/lib/access/page";

export const metadata = { title: "Train" };

export default async function TrainPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  await projectPageContext(workspace, project);
  return <EmptyState title="Train" description="This step is not available yet." />;
}
