/* domain: domain objects and the daemon-wide list.
 *
 * Each object has a mutex for its fields and a job flag: every state change
 * (start, stop, define over it, suspend, ...) runs inside a job, so state
 * changes on one domain happen one at a time; queries only take the mutex.
 * The process layer (process.c) updates state when tandem exits without a
 * job (it cannot wait for one: a destroy job waits for that exit). */
#ifndef TANDEM_DOMAIN_H
#define TANDEM_DOMAIN_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver/drv_def.h"

struct monitor;
struct console;

struct domain {
	gint refs;
	GMutex lock;
	GCond cond;             /* job release and process exit */
	bool job;
	bool removed;           /* no longer in the list */

	char *name;
	unsigned char uuid[16];
	struct drv_def *def;    /* live def while active, persistent def otherwise */
	struct drv_def *newdef; /* next-boot def defined while active (or NULL) */
	bool persistent;
	bool autostart;
	int state, reason;      /* virDomainState + reason */
	int id;                 /* -1 when inactive */

	pid_t pid;              /* tandem process, 0 when none */
	unsigned long long start_time; /* /proc/PID/stat field 22, identity */
	bool own_child;         /* spawned by this daemon run (child watch) */
	guint exit_watch;
	struct monitor *mon;
	char *pty;              /* guest serial pty path while active */
	int stop_intent;        /* SHUTOFF reason a requested stop leads to, -1 none */
	bool guest_shutdown;    /* tandem reported a guest-initiated power off */
	bool restart_pending;   /* fake reboot */
	int expect_stop;        /* STOP/RESUME events answering our own stop/cont */
	int expect_resume;
	uint64_t autodestroy_client; /* rpc client id, 0 none */
	struct console *console;
	gint64 cpu_time_base;
};

struct domain *domain_ref(struct domain *d);
void domain_unref(struct domain *d);

/* Job: waits (up to 30 s) for the domain's job, VIR_ERR_OPERATION_TIMEOUT
 * otherwise. Called with d->lock held; keeps it held on return. */
bool domain_begin_job(struct domain *d, GError **err);
void domain_end_job(struct domain *d);

bool domain_is_active(const struct domain *d);
void domain_set_state(struct domain *d, int state, int reason);

/* List (all functions lock the list internally). Lookups return a ref. */
void domains_init(void);
struct domain *domains_find_uuid(const unsigned char uuid[16]);
struct domain *domains_find_name(const char *name);
struct domain *domains_find_id(int id);
/* Adds a new object for def (takes ownership). */
struct domain *domains_add(struct drv_def *def);
void domains_remove(struct domain *d);
/* Snapshot of all objects, each with a ref (free with domains_list_free). */
GPtrArray *domains_list(void);
void domains_list_free(GPtrArray *a);
int domains_next_id(void);
/* After re-attaching: ids handed out later stay above id. */
void domains_note_id(int id);
/* Number of active domains (for the session idle timeout). */
unsigned domains_count_active(void);

/* Formats a UUID as 36 characters + NUL. */
void dom_uuid_format(const unsigned char uuid[16], char out[37]);

#endif
