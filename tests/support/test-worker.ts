// A worker process for tests: the production job definitions plus the test-only ones, or only
// the test-only ones with TEST_WORKER_ONLY_DIAGNOSTIC=1 (beside the app's own worker).
import { JOB_DEFINITIONS } from "@/worker/registry";
import { runWorkerProcess } from "@/worker/start";
import { countItemsJob } from "./jobs";

const onlyDiagnostic = process.argv.includes("--only-diagnostic");
runWorkerProcess([...(onlyDiagnostic ? [] : JOB_DEFINITIONS), countItemsJob]);
