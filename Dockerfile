# syntax=docker/dockerfile:1
# Build stage: compile TypeScript to dist/, and the client library for browsers to client/dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY client ./client
RUN npm run build && npm prune --omit=dev

# Runtime stage: only the compiled service and its production dependencies.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The demo page at / (static files; DEMO_PAGE=false turns it off) and the client library it loads.
COPY public ./public
COPY --from=build /app/client/dist ./client/dist
USER node
EXPOSE 8000
# No curl in the image: Node itself probes liveness.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main"]
