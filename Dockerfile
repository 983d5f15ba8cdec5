# syntax=docker/dockerfile:1
# One image for every greenwatch app; docker-compose.yml picks the app by command:
#   command: ["dist/apps/broker/src/main.js"]   (or apps/ingest, apps/rules, apps/api)

# --- build: install everything, compile TypeScript, then drop dev dependencies ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: compiled code, production dependencies, nothing else ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/var/lib/greenwatch \
    COMMUNITY_CONFIG_DIR=/etc/greenwatch/communities \
    MQTT_BIND=0.0.0.0
WORKDIR /app
# package.json carries the "imports" map (#contracts -> dist/libs/...) that dist/ resolves through
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /var/lib/greenwatch /etc/greenwatch/communities && chown node:node /var/lib/greenwatch
USER node
VOLUME ["/var/lib/greenwatch"]
# MQTT_PORT, MQTT_WS_PORT, API_PORT (the contract's defaults)
EXPOSE 1883 8083 3000
ENTRYPOINT ["node", "--enable-source-maps"]
CMD ["dist/apps/ingest/src/main.js"]
