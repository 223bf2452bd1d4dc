# seige on a HuggingFace Space (README front matter `sdk: docker`, `app_port: 8000`) or any
# container host: the OpenEnv-compatible server on 0.0.0.0:8000 with the sim target.
# Build: docker build -t seige .   Run: docker run -p 8000:8000 seige
# Other targets: -e SEIGE_TARGET_BACKEND=lens|openai (see docs/server.md for the variables).

# --- build: compile TypeScript with the dev dependencies
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# onnxruntime-node's postinstall would download CUDA binaries; the variable skips it (CPU build
# only). node:20's npm 10 does not read package.json's allowScripts, so the variable is needed.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build && npm prune --omit=dev

# --- run: compiled code and production dependencies only
FROM node:20-slim
ENV NODE_ENV=production \
    PORT=8000 \
    SEIGE_TARGET_BACKEND=sim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY docs ./docs
# Spaces run containers as uid 1000, which is the node image's `node` user.
USER node
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/seige.js", "serve", "--host", "0.0.0.0"]
