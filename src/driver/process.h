/* process: one `tandem run` process per active domain.
 *
 * Start spawns tandem (own session, stdout/stderr to logDir/NAME.log),
 * connects its control socket and records pid + process start time in the
 * status file. Exits are observed by a child watch (own children) or a
 * pidfd (processes re-attached after a daemon restart) and mapped to
 * libvirt state, reason and lifecycle event here, and nowhere else. */
#ifndef TANDEM_PROCESS_H
#define TANDEM_PROCESS_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

struct domain;
struct monitor;

/* All called with d->lock held and the job taken. */
bool process_start(struct domain *d, bool paused, GError **err);
/* graceful: SIGTERM only; otherwise SIGKILL. Waits for the exit. */
bool process_destroy(struct domain *d, bool graceful, GError **err);
bool process_command(struct domain *d, const char *cmd, GError **err);
/* ACPI power button, then restart the guest when it has powered off. */
bool process_fake_reboot(struct domain *d, GError **err);

/* At daemon start: re-attach or mark shut off (no events). */
void process_reattach_all(GPtrArray *running);
/* Autostart domains, once per host boot (marker in stateDir). */
void process_autostart_all(void);

/* Monitor callbacks (main loop). */
void process_monitor_event(struct domain *d, struct monitor *mon, const char *event, JsonNode *data);

/* /proc/PID/stat start time, 0 if the process does not exist. */
unsigned long long process_start_time(pid_t pid);

#endif
