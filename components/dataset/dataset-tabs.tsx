import { SubTabs } from "@/components/ui/sub-tabs";

const TABS = [
  { slug: "generate", label: "Generate" },
  { slug: "", label: "Review" },
  { slug: "export", label: "Export" },
];

export function DatasetTabs({ base }: { base: string }) {
  return <SubTabs base={base} tabs={TABS} label="Dataset" />;
}
