// One address entry of the settings that name hosts (OUTBOUND_ALLOW in ./outbound, NO_PROXY in
// ./proxy), parsed the same way for both.
import ipaddr from "ipaddr.js";

export type AllowEntry = { host?: string; cidr?: [ipaddr.IPv4 | ipaddr.IPv6, number]; port?: number };

/**
 * One `host`, `host:port`, `ip`, `ip:port`, `[v6]:port` or `cidr` entry (OUTBOUND_ALLOW, and
 * NO_PROXY in ./proxy); undefined for a malformed CIDR, which matches nothing.
 */
export function parseHostEntry(item: string): AllowEntry | undefined {
  let host = item;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
  if (bracketed) {
    host = bracketed[1];
    port = bracketed[2] ? Number(bracketed[2]) : undefined;
  } else if (!item.includes("/") && (item.match(/:/g) ?? []).length === 1) {
    const [h, p] = item.split(":");
    host = h;
    // A port that is not a number matches no port.
    port = Number(p);
  }
  if (host.includes("/")) {
    try {
      return { cidr: ipaddr.parseCIDR(host), port };
    } catch {
      return undefined;
    }
  }
  if (ipaddr.isValid(host)) {
    const ip = ipaddr.process(host);
    return { cidr: [ip, ip.kind() === "ipv4" ? 32 : 128], port };
  }
  return { host: host.toLowerCase(), port };
}
