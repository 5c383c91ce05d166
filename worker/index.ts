// The worker process (`npm run worker`, started by `npm start` beside the web).
import { JOB_DEFINITIONS } from "@/lib/jobs/registry";
import { runWorkerProcess } from "./start";

runWorkerProcess(JOB_DEFINITIONS);
