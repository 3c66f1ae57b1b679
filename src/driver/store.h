/* store: everything the daemon keeps on disk, all written atomically
 * (temp file in the same directory, fsync, rename, fsync the directory):
 *   configDir/NAME.xml           persistent definition (inactive XML)
 *   configDir/autostart/NAME.xml symlink to ../NAME.xml
 *   stateDir/NAME.xml            status of a running domain: <domstatus>
 *                                with pid, process start time, id, pty,
 *                                state/reason, then the live <domain>
 *   stateDir/NAME.sock, NAME.pid control socket and pidfile of tandem
 *   logDir/NAME.log              tandem's stdout/stderr */
#ifndef TANDEM_STORE_H
#define TANDEM_STORE_H

#include <glib.h>
#include <stdbool.h>

struct domain;

struct store_paths {
	char *config_dir;
	char *autostart_dir;
	char *state_dir;
	char *log_dir;
	char *sock_rw;
	char *sock_ro;          /* NULL in session mode */
	char *pidfile;
	char *tandem;           /* the VMM binary */
};

extern struct store_paths store;

bool store_write_atomic(const char *path, const char *data, GError **err);
bool store_mkdirs(GError **err);

char *store_config_path(const char *name);
char *store_status_path(const char *name);
char *store_control_path(const char *name);
char *store_pidfile_path(const char *name);
char *store_log_path(const char *name);

/* persistent config; called with d->lock held */
bool store_save_config(struct domain *d, GError **err);
bool store_delete_config(struct domain *d, GError **err);
bool store_set_autostart(struct domain *d, bool on, GError **err);
bool store_save_status(struct domain *d, GError **err);
void store_delete_status(struct domain *d);

/* At start: loads configs, then status files (re-attaching is process.c's
 * job: store_load_all returns the domains that claim to be running). */
GPtrArray *store_load_all(void);

#endif
