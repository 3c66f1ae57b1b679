/* Assembly of the virtio devices from the machine configuration; see
 * virtio_devices.h. */
#include "hw/virtio/virtio_devices.h"

#include "hw/virtio/block/blk.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_console.h"
#include "hw/virtio/virtio_net.h"
#include "hw/virtio/virtio_pci.h"
#include "hw/virtio/virtio_rng.h"
#include "vmm/chardev.h"

#include <string.h>

#define VIRTIO_MAX_FUNCTIONS (CONFIG_MAX_DISKS + CONFIG_MAX_NICS + 2)

struct virtio_devices {
	const struct machine_config *cfg;
	struct virtio_pci *pci[VIRTIO_MAX_FUNCTIONS];
	unsigned n;
	struct virtio_blk *blk[CONFIG_MAX_DISKS];
	unsigned nblk;
	struct virtio_net *net[CONFIG_MAX_NICS];
	unsigned nnet;
	struct virtio_rng *rng;
	struct virtio_console *console;
	struct chardev *console_chr;
	struct net_lock lock;
};

static bool virtio_devices_add(struct virtio_devices *v, const struct virtio_devices_params *p,
			       struct virtio_dev *vdev, GError **err)
{
	struct virtio_pci *vp = g_new0(struct virtio_pci, 1);
	v->pci[v->n] = vp;
	if (!virtio_pci_init(vp, vdev, p->irq, err))
		return false;
	unsigned slot = p->first_slot + v->n;
	v->n++;
	return pci_register_device(p->pci, &vp->pci, slot, err);
}

static void console_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct virtio_devices *v = opaque;
	chardev_write(v->console_chr, buf, len);
}

static struct blk *open_disk(const struct disk_config *d, GError **err)
{
	enum blk_format fmt = d->format == DISK_FORMAT_RAW ? BLK_FORMAT_RAW
			      : d->format == DISK_FORMAT_QCOW2 ? BLK_FORMAT_QCOW2 : BLK_FORMAT_AUTO;
	return blk_open(d->path, fmt, d->readonly, err);
}

struct virtio_devices *virtio_devices_create(const struct virtio_devices_params *p, GError **err)
{
	const struct machine_config *cfg = p->cfg;
	struct virtio_devices *v = g_new0(struct virtio_devices, 1);
	v->cfg = cfg;
	for (unsigned i = 0; i < cfg->ndisks && i < CONFIG_MAX_DISKS; i++) {
		struct blk *disk = open_disk(&cfg->disks[i], err);
		if (!disk)
			goto fail;
		g_autofree char *name = g_strdup_printf("virtio-blk%u", i);
		v->blk[v->nblk++] = virtio_blk_create(name, disk, cfg->disks[i].serial, p->mem);
		if (!virtio_devices_add(v, p, &v->blk[v->nblk - 1]->vdev, err))
			goto fail;
	}
	for (unsigned i = 0; i < cfg->nnics && i < CONFIG_MAX_NICS; i++) {
		const struct nic_config *n = &cfg->nics[i];
		uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + i) };
		if (n->mac_set)
			memcpy(mac, n->mac, 6);
		for (unsigned j = 0; j < n->nhostfwd; j++) {
			struct net_hostfwd f;
			if (!net_parse_hostfwd(n->hostfwd[j], &f, err))
				goto fail;
		}
		g_autofree char *name = g_strdup_printf("virtio-net%u", i);
		/* The backend comes with virtio_devices_start_io(). */
		v->net[v->nnet++] = virtio_net_create(name, mac, NULL, p->mem);
		if (!virtio_devices_add(v, p, &v->net[v->nnet - 1]->vdev, err))
			goto fail;
	}
	if (cfg->rng) {
		v->rng = virtio_rng_create("virtio-rng0", p->mem);
		if (!virtio_devices_add(v, p, &v->rng->vdev, err))
			goto fail;
	}
	if (cfg->console2 != SERIAL_NONE) {
		v->console_chr = chardev_open(cfg->console2, cfg->console2_path, err);
		if (!v->console_chr)
			goto fail;
		struct virtio_console_backend be = { .opaque = v, .write = console_write };
		v->console = virtio_console_create("virtio-console0", &be, p->mem);
		if (!virtio_devices_add(v, p, &v->console->vdev, err))
			goto fail;
	}
	return v;
fail:
	virtio_devices_destroy(v);
	return NULL;
}

static void vlock(struct virtio_devices *v)
{
	if (v->lock.lock)
		v->lock.lock(v->lock.opaque);
}

static void vunlock(struct virtio_devices *v)
{
	if (v->lock.unlock)
		v->lock.unlock(v->lock.opaque);
}

/* Console input arrives on the I/O thread. */
static void console_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct virtio_devices *v = opaque;
	vlock(v);
	virtio_console_receive(v->console, buf, len);
	vunlock(v);
}

static size_t console_space(void *opaque)
{
	struct virtio_devices *v = opaque;
	vlock(v);
	size_t n = virtio_console_can_receive(v->console) ? 4096 : 0;
	vunlock(v);
	return n;
}

bool virtio_devices_start_io(struct virtio_devices *v, GMainContext *ctx, const struct net_lock *lock,
			     GError **err)
{
	if (lock)
		v->lock = *lock;
	for (unsigned i = 0; i < v->nnet; i++) {
		const struct nic_config *n = &v->cfg->nics[i];
		struct net_backend *be;
		if (n->kind == NIC_TAP) {
			be = net_tap_create(n->ifname, n->bridge, ctx, lock, err);
		} else {
			struct net_hostfwd fwd[CONFIG_MAX_HOSTFWD];
			for (unsigned j = 0; j < n->nhostfwd; j++)
				if (!net_parse_hostfwd(n->hostfwd[j], &fwd[j], err))
					return false;
			be = net_slirp_create(fwd, n->nhostfwd, n->restrict_net, ctx, lock, err);
		}
		if (!be)
			return false;
		/* Devices are reached under the machine lock only. */
		net_backend_lock(be);
		virtio_net_attach(v->net[i], be);
		net_backend_unlock(be);
	}
	if (v->console)
		chardev_attach(v->console_chr, ctx, console_input, console_space, NULL, v);
	return true;
}

void virtio_devices_reset(struct virtio_devices *v)
{
	for (unsigned i = 0; i < v->n; i++)
		virtio_pci_reset(v->pci[i]);
}

void virtio_devices_destroy(struct virtio_devices *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < v->nblk; i++)
		virtio_blk_destroy(v->blk[i]);
	for (unsigned i = 0; i < v->nnet; i++)
		virtio_net_destroy(v->net[i]);
	virtio_rng_destroy(v->rng);
	virtio_console_destroy(v->console);
	chardev_close(v->console_chr);
	for (unsigned i = 0; i < v->n; i++)
		g_free(v->pci[i]);
	g_free(v);
}

const char *virtio_devices_console2_pty(const struct virtio_devices *v)
{
	return v && v->console_chr ? chardev_pty_path(v->console_chr) : NULL;
}

unsigned virtio_devices_count(const struct virtio_devices *v)
{
	return v ? v->n : 0;
}
