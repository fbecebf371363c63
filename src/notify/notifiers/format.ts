/**
 * How a notification reads to a person (Slack, e-mail): one headline and a
 * few labelled facts, the same words in every channel.
 */
import type { AlarmNotification, AlarmSeverity, NotificationEvent } from "../notification.js";

const EVENT_WORDS: Record<NotificationEvent, string> = {
  raised: "raised",
  escalated: "still unacknowledged (escalated)",
  cleared: "cleared",
};

/** e.g. "CRITICAL alarm raised on UNIT001 temperature: High temperature alert: 92.1°C" */
export function headline(n: AlarmNotification): string {
  const where = n.alarm.sensor === null ? n.alarm.unit : `${n.alarm.unit} ${n.alarm.sensor}`;
  return `${n.alarm.severity} alarm ${EVENT_WORDS[n.event]} on ${where}: ${n.alarm.message}`;
}

export function facts(n: AlarmNotification): [label: string, value: string][] {
  const out: [string, string][] = [
    ["Unit", n.alarm.unit],
    ["Sensor", n.alarm.sensor ?? "—"],
    ["Value", n.alarm.value === null ? "—" : String(n.alarm.value)],
    ["Severity", n.alarm.severity],
    ["Category", n.alarm.category],
    ["State", n.alarm.state],
    ["Rule", n.alarm.ruleId],
    ["Raised at", new Date(n.alarm.raisedAt).toISOString()],
  ];
  if (n.alarm.area !== null) out.push(["Area", n.alarm.area]);
  out.push(["Alarm", n.alarm.id], ["Notification", n.id]);
  return out;
}

export const SEVERITY_COLOURS: Record<AlarmSeverity, string> = {
  LOW: "#439FE0",
  MEDIUM: "#ECB22E",
  HIGH: "#E8761A",
  CRITICAL: "#D40E0D",
};
export const CLEARED_COLOUR = "#2EB67D";

export const SEVERITY_EMOJI: Record<AlarmSeverity, string> = {
  LOW: ":information_source:",
  MEDIUM: ":warning:",
  HIGH: ":rotating_light:",
  CRITICAL: ":fire:",
};
export const CLEARED_EMOJI = ":white_check_mark:";
