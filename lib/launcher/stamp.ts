// `npm run build`'s last step (postbuild): marks .next as the build of the current sources, so
// `npm run web` / `npm start` afterwards start at once instead of building again.
import { stampBuild } from "./build";

stampBuild();
