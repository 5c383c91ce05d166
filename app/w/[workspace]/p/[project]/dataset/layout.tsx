import { DatasetTabs } from "@/components/dataset/dataset-tabs";

export default async function DatasetLayout({ children, params }: { children: React.ReactNode; params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  return (
    <div className="space-y-4">
      <DatasetTabs base={`/w/${workspace}/p/${project}/dataset`} />
      {children}
    </div>
  );
}
