# FineTuneFlow in containers (compose.yaml runs them): one image, two roles.
#   web:    npm run web     (the Next.js app; runs pending migrations under an advisory lock)
#   worker: npm run worker  (generation, imports, exports; training goes to GPU boxes over SSH)
# Build: docker build -t finetuneflow .      Targets: runtime (web) and worker (adds Tesseract).

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
# Native modules (canvas, tiktoken) ship prebuilt; no compiler needed.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
# prisma generate runs before the build and the build's fingerprint after it (pre/postbuild), so
# `npm run web` finds the build current and starts at once; stamped again after the prune.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && npx tsx lib/launcher/stamp.ts

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 STORAGE_DIR=/app/storage
COPY --from=build --chown=node:node /app /app
# The image never installs packages at run time; the worker target below has Tesseract already.
ENV INSTALL_SYSTEM_PACKAGES=false
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npm", "run", "web"]

FROM runtime AS worker
USER root
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng && rm -rf /var/lib/apt/lists/*
USER node
HEALTHCHECK NONE
CMD ["npm", "run", "worker"]
