// The worker process (`npm run worker`, started by `npm start` beside the web).
import { JOB_DEFINITIONS } from "@/worker/registry";
import { runWorkerProcess } from "./start";

runWorkerProcess(JOB_DEFINITIONS);
