import { EmptyState } from "@/components/ui/empty-state";
import { projectPageContext } from "@/lib/access/page";

export const metadata = { title: "Dataset" };

export default async function DatasetPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  await projectPageContext(workspace, project);
  return <EmptyState title="Dataset" description="This step is not available yet." />;
}
