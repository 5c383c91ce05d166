import { SubTabs } from "@/components/ui/sub-tabs";

const TABS = [
  { slug: "", label: "Runs" },
  { slug: "test-sets", label: "Test sets" },
];

export default async function EvaluateLayout({ children, params }: { children: React.ReactNode; params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project } = await params;
  return (
    <div className="space-y-4">
      <SubTabs base={`/w/${workspace}/p/${project}/evaluate`} tabs={TABS} label="Evaluate" />
      {children}
    </div>
  );
}
