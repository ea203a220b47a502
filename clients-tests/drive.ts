// A TypeScript client, typed by openapi-typescript from the served spec, driving a live mqttgate
// through openapi-fetch. Type-checked with tsc --strict; run by test_typescript_client.py.
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/mqttgate.js";

type ApiError = components["schemas"]["Error"];
type PublishMessage = components["schemas"]["PublishMessage"];

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const baseUrl = env("MQTTGATE_URL");
const basic = (key: string, secret: string) => ({
  Authorization: "Basic " + Buffer.from(`${key}:${secret}`).toString("base64"),
});
const api = createClient<paths>({ baseUrl, headers: basic(env("MQTTGATE_KEY"), env("MQTTGATE_SECRET")) });

function code(error: ApiError | undefined): string | undefined {
  return error?.code;
}

// list and page
const first = await api.GET("/clients", { params: { query: { page: 1, limit: 2, like_clientid: "ts-" } } });
assert.equal(first.data?.data.length, 2);
assert.equal(first.data?.meta.hasnext, true);
const second = await api.GET("/clients", { params: { query: { page: 2, limit: 2, like_clientid: "ts-" } } });
assert.deepEqual([...(first.data?.data ?? []), ...(second.data?.data ?? [])].map((c) => c.clientid),
  ["ts-0", "ts-1", "ts-2"]);

// subscribe on behalf, publish (typed model) and bulk, retained
const granted = await api.POST("/clients/{clientid}/subscribe", {
  params: { path: { clientid: "ts-0" } }, body: { topic: "ts/#", qos: 1 },
});
assert.equal(granted.data?.qos, 1);
const message: PublishMessage = { topic: "ts/one", payload: "hello", qos: 1 };
const sent = await api.POST("/publish", { body: message });
assert.equal(sent.response.status, 200);
assert.ok(sent.data && "id" in sent.data && sent.data.id.length > 0);
const bulk = await api.POST("/publish/bulk", {
  body: [{ topic: "ts/two", payload: "again" }, { topic: "ts/kept", payload: "a2VwdA==", payload_encoding: "base64", retain: true }],
});
assert.equal(bulk.data?.length, 2);
const retained = await api.GET("/mqtt/retainer/messages", { params: { query: { topic: "ts/#" } } });
assert.deepEqual(retained.data?.data.map((m) => m.topic), ["ts/kept"]);
const kept = await api.GET("/mqtt/retainer/message/{topic}", { params: { path: { topic: "ts/kept" } } });
assert.equal(Buffer.from(kept.data?.payload ?? "", "base64").toString(), "kept");

// kick; the kicked client is a typed 404 after
const kicked = await api.DELETE("/clients/{clientid}", { params: { path: { clientid: "ts-2" } } });
assert.equal(kicked.response.status, 204);
const gone = await api.GET("/clients/{clientid}", { params: { path: { clientid: "ts-2" } } });
assert.equal(gone.response.status, 404);
assert.equal(code(gone.error), "CLIENTID_NOT_FOUND");

// a ban
const ban = await api.POST("/banned", { body: { as: "clientid", who: "ts-bot", reason: "generated" } });
assert.equal(ban.data?.who, "ts-bot");
const lifted = await api.DELETE("/banned/{kind}/{who}", { params: { path: { kind: "clientid", who: "ts-bot" } } });
assert.equal(lifted.response.status, 204);

// API keys: create, update, a 403 with the viewer's key, a 409, a 401, delete
const made = await api.POST("/api_key", { body: { name: "ts-viewer", role: "viewer" } });
assert.ok(made.data);
const changed = await api.PUT("/api_key/{name}", { params: { path: { name: "ts-viewer" } }, body: { desc: "generated" } });
assert.equal(changed.data?.desc, "generated");
const viewer = createClient<paths>({ baseUrl, headers: basic(made.data.api_key, made.data.api_secret) });
const refused = await viewer.POST("/publish", { body: { topic: "ts/x", payload: "x" } });
assert.equal(refused.response.status, 403);
assert.equal(code(refused.error), "UNAUTHORIZED_ROLE");
const taken = await api.POST("/api_key", { body: { name: "ts-viewer" } });
assert.equal(taken.response.status, 409);
assert.equal(code(taken.error), "ALREADY_EXISTS");
const stranger = createClient<paths>({ baseUrl, headers: basic("nobody", "wrong") });
const denied = await stranger.GET("/clients");
assert.equal(denied.response.status, 401);
assert.equal(code(denied.error), "WRONG_USERNAME_OR_PWD_OR_API_KEY_OR_API_SECRET");
const deleted = await api.DELETE("/api_key/{name}", { params: { path: { name: "ts-viewer" } } });
assert.equal(deleted.response.status, 204);

// a user and its client's ACL rules
const user = await api.POST("/authentication/password_based:built_in_database/users", {
  body: { user_id: "ts-user", password: "ts-secret" },
});
assert.equal(user.data?.is_superuser, false);
const rules: components["schemas"]["AclRule"][] = [{ topic: "ts/${clientid}/#", permission: "allow", action: "publish" }];
const put = await api.PUT("/authorization/sources/built_in_database/rules/clients/{clientid}", {
  params: { path: { clientid: "ts-0" } }, body: { rules },
});
assert.equal(put.response.status, 204);
const got = await api.GET("/authorization/sources/built_in_database/rules/clients/{clientid}", {
  params: { path: { clientid: "ts-0" } },
});
assert.deepEqual(got.data, { clientid: "ts-0", rules });
const userGone = await api.DELETE("/authentication/password_based:built_in_database/users/{user_id}", {
  params: { path: { user_id: "ts-user" } },
});
assert.equal(userGone.response.status, 204);

// a backup, downloaded as bytes
const backup = await api.POST("/data/export");
assert.ok(backup.data);
const file = await api.GET("/data/files/{filename}", {
  params: { path: { filename: backup.data.filename } }, parseAs: "arrayBuffer",
});
assert.ok(file.data instanceof ArrayBuffer);
const bytes = new Uint8Array(file.data);
assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
assert.equal(bytes.length, backup.data.size);

console.log("typescript client: all checks passed");
