/**
 * Config files for the throwaway servers. Everything a server writes (data,
 * logs, pid files) goes into its own data dir, and it listens on loopback only.
 */
import { userInfo } from "node:os";
import { join } from "node:path";

export interface ClickHousePorts {
  readonly http: number;
  readonly native: number;
  readonly interserver: number;
}

/** Keeps generated XML well formed whatever the temp dir's path contains. */
function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Caches small enough for a 2-core CI machine; the packaged defaults reserve 5 GiB and 8 GiB. */
const CLICKHOUSE_CACHE_BYTES = 64 * 1024 * 1024; // 64 MiB each

/**
 * config.xml for ClickHouse 18.16 (root element `<yandex>`). Logs go to files in
 * the data dir; `path` is a sub-directory so the config files stay apart from
 * the data. Timezone UTC so DateTime results do not depend on the machine.
 */
export function clickhouseConfigXml(dataDir: string, ports: ClickHousePorts): string {
  const dir = (name: string): string => xml(join(dataDir, name) + "/");
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level>
    <log>${xml(join(dataDir, "clickhouse-server.log"))}</log>
    <errorlog>${xml(join(dataDir, "clickhouse-server.err.log"))}</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.native}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir("db")}</path>
  <tmp_path>${dir("db/tmp")}</tmp_path>
  <user_files_path>${dir("db/user_files")}</user_files_path>
  <format_schema_path>${dir("db/format_schemas")}</format_schema_path>
  <users_config>${xml(join(dataDir, "users.xml"))}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>${CLICKHOUSE_CACHE_BYTES}</mark_cache_size>
  <uncompressed_cache_size>${CLICKHOUSE_CACHE_BYTES}</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <keep_alive_timeout>3</keep_alive_timeout>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

/** users.xml: a `default` user with no password, reachable from loopback only, no quota limits. */
export function clickhouseUsersXml(): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks>
        <ip>127.0.0.1</ip>
        <ip>::1</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;
}

/**
 * mosquitto.conf for Mosquitto 2.x, which refuses anonymous clients and listens
 * on nothing unless told. Persistence goes into the data dir, so retained
 * messages survive a stop/start like on a real broker. Run as root, mosquitto
 * would switch to the `mosquitto` user and lose access to a root-owned data dir;
 * `user` set to whoever we are keeps it as us (ignored when not root).
 */
export function mosquittoConf(dataDir: string, port: number, extra: readonly string[] = []): string {
  return [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous true",
    "persistence true",
    `persistence_location ${dataDir}/`,
    `user ${userInfo().username}`,
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
    "log_type information",
    ...extra,
    "",
  ].join("\n");
}
