import { EmptyState } from "@/components/ui/empty-state";
import { projectPageContext } from "@/lib/access/page";

export const metadata = { title: "Sources" };

export default async function SourcesPage({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  await projectPageContext(workspace, project);
  return <EmptyState title="Sources" description="This step is not available yet." />;
}
