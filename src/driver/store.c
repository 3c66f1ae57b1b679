/* store: config, autostart links and status files. */
#include "driver/store.h"
#include "driver/domain.h"
#include "driver/drv_error.h"

#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store_paths store;

bool store_write_atomic(const char *path, const char *data, GError **err)
{
	g_autofree char *tmp = g_strdup_printf("%s.new", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error(err, DRV_ERROR, VIR_ERR_SYSTEM_ERROR, "cannot create '%s': %s", tmp,
			    g_strerror(errno));
		return false;
	}
	size_t n = strlen(data);
	const char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			g_set_error(err, DRV_ERROR, VIR_ERR_SYSTEM_ERROR, "cannot write '%s': %s", tmp,
				    g_strerror(e));
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	/* The data is on disk before the rename, so the file is always the old
	 * or the new complete version. The directory is not fsynced (libvirt's
	 * virFileRewrite does not either): that would only make the newest
	 * rename survive a host crash, at the price of a second journal commit
	 * per define (half of a define's time, bench/driver.sh). */
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		g_set_error(err, DRV_ERROR, VIR_ERR_SYSTEM_ERROR, "cannot write '%s': %s", path,
			    g_strerror(e));
		return false;
	}
	return true;
}

bool store_mkdirs(GError **err)
{
	const char *dirs[] = { store.config_dir, store.autostart_dir, store.state_dir, store.log_dir };
	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		if (g_mkdir_with_parents(dirs[i], 0700) < 0) {
			g_set_error(err, DRV_ERROR, VIR_ERR_SYSTEM_ERROR, "cannot create directory '%s': %s",
				    dirs[i], g_strerror(errno));
			return false;
		}
	}
	return true;
}

char *store_config_path(const char *name) { return g_strdup_printf("%s/%s.xml", store.config_dir, name); }
char *store_status_path(const char *name) { return g_strdup_printf("%s/%s.xml", store.state_dir, name); }
char *store_control_path(const char *name) { return g_strdup_printf("%s/%s.sock", store.state_dir, name); }
char *store_pidfile_path(const char *name) { return g_strdup_printf("%s/%s.pid", store.state_dir, name); }
char *store_log_path(const char *name) { return g_strdup_printf("%s/%s.log", store.log_dir, name); }

bool store_save_config(struct domain *d, GError **err)
{
	const struct drv_def *def = d->newdef ? d->newdef : d->def;
	g_autofree char *xml = drv_def_format(def, -1, NULL, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	g_autofree char *text = g_strdup_printf(
		"<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
		"OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n"
		"  virsh edit %s\nor other application using the libvirt API.\n-->\n\n%s",
		d->name, xml);
	g_autofree char *path = store_config_path(d->name);
	return store_write_atomic(path, text, err);
}

bool store_set_autostart(struct domain *d, bool on, GError **err)
{
	g_autofree char *link = g_strdup_printf("%s/%s.xml", store.autostart_dir, d->name);
	g_autofree char *target = store_config_path(d->name);
	if (on) {
		g_autofree char *tmp = g_strdup_printf("%s.new", link);
		unlink(tmp);
		if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
			g_set_error(err, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
				    "Failed to create symlink '%s' to '%s': %s", link, target, g_strerror(errno));
			return false;
		}
	} else if (unlink(link) < 0 && errno != ENOENT) {
		g_set_error(err, DRV_ERROR, VIR_ERR_SYSTEM_ERROR, "Failed to delete symlink '%s': %s",
			    link, g_strerror(errno));
		return false;
	}
	return true;
}

bool store_delete_config(struct domain *d, GError **err)
{
	if (!store_set_autostart(d, false, err))
		return false;
	g_autofree char *path = store_config_path(d->name);
	if (unlink(path) < 0 && errno != ENOENT) {
		g_set_error(err, DRV_ERROR, VIR_ERR_SYSTEM_ERROR, "cannot remove config %s: %s", path,
			    g_strerror(errno));
		return false;
	}
	return true;
}

bool store_save_status(struct domain *d, GError **err)
{
	g_autofree char *xml = drv_def_format(d->def, d->id, d->pty, 0);
	g_autofree char *pty = d->pty ? g_markup_escape_text(d->pty, -1) : g_strdup("");
	g_autofree char *text = g_strdup_printf(
		"<domstatus state='%d' reason='%d' pid='%d' starttime='%llu' id='%d' pty='%s' "
		"persistent='%d' autodestroy='%d'>\n%s</domstatus>\n",
		d->state, d->reason, (int)d->pid, d->start_time, d->id, pty, d->persistent,
		d->autodestroy_client != 0, xml);
	g_autofree char *path = store_status_path(d->name);
	return store_write_atomic(path, text, err);
}

void store_delete_status(struct domain *d)
{
	g_autofree char *path = store_status_path(d->name);
	unlink(path);
}

static char *strip_comments_and_parse_name(const char *path, struct drv_def **out)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	if (!g_file_get_contents(path, &text, NULL, &err)) {
		g_warning("%s", err->message);
		return NULL;
	}
	*out = drv_def_parse(text, 0, &err);
	if (!*out) {
		g_warning("ignoring %s: %s", path, err->message);
		return NULL;
	}
	return g_strdup(drv_def_name(*out));
}

static long long prop_ll(xmlNodePtr n, const char *name, long long dflt)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	long long r = v ? g_ascii_strtoll((const char *)v, NULL, 10) : dflt;
	xmlFree(v);
	return r;
}

/* Reads one status file into d (the live def replaces the config one). */
static void load_status(struct domain *d, const char *path)
{
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return;
	xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "status.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || strcmp((const char *)root->name, "domstatus")) {
		xmlFreeDoc(doc);
		return;
	}
	xmlNodePtr dn = root->children;
	while (dn && dn->type != XML_ELEMENT_NODE)
		dn = dn->next;
	if (dn) {
		xmlBufferPtr b = xmlBufferCreate();
		xmlNodeDump(b, doc, dn, 0, 0);
		g_autoptr(GError) err = NULL;
		struct drv_def *live = drv_def_parse((const char *)xmlBufferContent(b), 0, &err);
		xmlBufferFree(b);
		if (live && !memcmp(drv_def_uuid(live), d->uuid, 16)) {
			if (d->persistent)
				d->newdef = d->def;
			else
				drv_def_free(d->def);
			d->def = live;
		} else {
			drv_def_free(live);
		}
	}
	d->state = (int)prop_ll(root, "state", VIR_DOMAIN_RUNNING);
	d->reason = (int)prop_ll(root, "reason", 0);
	d->pid = (pid_t)prop_ll(root, "pid", 0);
	d->start_time = (unsigned long long)prop_ll(root, "starttime", 0);
	d->id = (int)prop_ll(root, "id", -1);
	/* the client that asked for AUTODESTROY is gone with the old daemon */
	d->autodestroy_client = 0;
	xmlChar *pty = xmlGetProp(root, (const xmlChar *)"pty");
	if (pty && *pty)
		d->pty = g_strdup((const char *)pty);
	xmlFree(pty);
	xmlFreeDoc(doc);
}

GPtrArray *store_load_all(void)
{
	GPtrArray *running = g_ptr_array_new();
	/* persistent configs */
	GDir *dir = g_dir_open(store.config_dir, 0, NULL);
	const char *ent;
	while (dir && (ent = g_dir_read_name(dir))) {
		if (!g_str_has_suffix(ent, ".xml"))
			continue;
		g_autofree char *path = g_build_filename(store.config_dir, ent, NULL);
		struct drv_def *def = NULL;
		g_autofree char *name = strip_comments_and_parse_name(path, &def);
		if (!name)
			continue;
		g_autofree char *expect = g_strdup_printf("%s.xml", name);
		struct domain *clash = domains_find_uuid(drv_def_uuid(def));
		if (strcmp(expect, ent) || clash) {
			g_warning("ignoring %s: name/uuid does not match or is a duplicate", path);
			domain_unref(clash);
			drv_def_free(def);
			continue;
		}
		struct domain *d = domains_add(def);
		d->persistent = true;
		g_autofree char *link = g_build_filename(store.autostart_dir, ent, NULL);
		d->autostart = g_file_test(link, G_FILE_TEST_IS_SYMLINK) && g_file_test(link, G_FILE_TEST_EXISTS);
		domain_unref(d);
	}
	if (dir)
		g_dir_close(dir);
	/* status of domains that were running (transient ones exist only here) */
	dir = g_dir_open(store.state_dir, 0, NULL);
	while (dir && (ent = g_dir_read_name(dir))) {
		if (!g_str_has_suffix(ent, ".xml") || g_str_has_suffix(ent, ".new"))
			continue;
		g_autofree char *path = g_build_filename(store.state_dir, ent, NULL);
		g_autofree char *name = g_strndup(ent, strlen(ent) - 4);
		struct domain *d = domains_find_name(name);
		if (!d) {
			/* transient: the def comes from the status file itself */
			g_autofree char *text = NULL;
			if (!g_file_get_contents(path, &text, NULL, NULL))
				continue;
			char *start = strstr(text, "<domain");
			char *end = g_strrstr(text, "</domstatus>");
			if (!start || !end)
				continue;
			*end = 0;
			g_autoptr(GError) err = NULL;
			struct drv_def *def = drv_def_parse(start, 0, &err);
			if (!def || strcmp(drv_def_name(def), name)) {
				drv_def_free(def);
				unlink(path);
				continue;
			}
			d = domains_add(def);
			d->persistent = false;
		}
		g_mutex_lock(&d->lock);
		load_status(d, path);
		g_mutex_unlock(&d->lock);
		g_ptr_array_add(running, d);
	}
	if (dir)
		g_dir_close(dir);
	return running;
}
