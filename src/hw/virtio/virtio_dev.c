/* Virtio device core: status, features, queues, config; see virtio_dev.h. */
#include "hw/virtio/virtio_dev.h"

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void virtio_dev_init(struct virtio_dev *d, const char *name, uint16_t device_id,
		     uint64_t device_features, unsigned num_queues, uint16_t queue_size,
		     uint32_t config_len, const struct guest_mem *gm,
		     const struct virtio_dev_ops *ops, void *opaque)
{
	memset(d, 0, sizeof(*d));
	g_strlcpy(d->name, name, sizeof(d->name));
	d->device_id = device_id;
	d->host_features = device_features | (1ULL << VIRTIO_F_VERSION_1) |
			   (1ULL << VIRTIO_RING_F_INDIRECT_DESC) | (1ULL << VIRTIO_RING_F_EVENT_IDX);
	d->num_queues = num_queues;
	d->queues = g_new0(struct virtqueue, num_queues);
	for (unsigned i = 0; i < num_queues; i++)
		vq_init(&d->queues[i], gm, i, queue_size);
	d->config_len = config_len;
	d->config = g_malloc0(config_len ? config_len : 1);
	d->ops = ops;
	d->opaque = opaque;
}

void virtio_dev_destroy(struct virtio_dev *d)
{
	g_free(d->queues);
	g_free(d->config);
	d->queues = NULL;
	d->config = NULL;
}

void virtio_dev_reset(struct virtio_dev *d)
{
	if (d->ops && d->ops->reset)
		d->ops->reset(d);
	for (unsigned i = 0; i < d->num_queues; i++)
		vq_reset(&d->queues[i]);
	d->status = 0;
	d->isr = 0;
	d->guest_features = 0;
	d->legacy = false;
	d->error[0] = '\0';
}

static void virtio_dev_interrupt(struct virtio_dev *d, int which)
{
	d->isr |= which == VIRTIO_IRQ_CONFIG ? 2 : 1;
	if (d->interrupt)
		d->interrupt(d->transport, d, which);
}

void virtio_dev_fail(struct virtio_dev *d, const char *fmt, ...)
{
	d->failures++;
	if (!virtio_dev_live(d))
		return;
	char msg[sizeof(d->error) - 40];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(d->error, sizeof(d->error), "%s: %s", d->name, msg);
	g_warning("%s: device needs reset", d->error);
	d->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* Legacy drivers have no NEEDS_RESET; the modern ones learn of it from
	 * a config-change interrupt (virtio 1.x 2.1.2). */
	if (!d->legacy && (d->status & VIRTIO_CONFIG_S_DRIVER_OK))
		virtio_dev_config_changed(d);
}

static bool virtio_dev_features_valid(struct virtio_dev *d)
{
	uint64_t extra = d->guest_features & ~d->host_features;
	if (extra) {
		g_warning("%s: driver accepted features 0x%" G_GINT64_MODIFIER "x that were not offered",
			  d->name, extra);
		return false;
	}
	if (!d->legacy && !(d->guest_features & (1ULL << VIRTIO_F_VERSION_1))) {
		g_warning("%s: modern driver did not accept VIRTIO_F_VERSION_1", d->name);
		return false;
	}
	return true;
}

void virtio_dev_set_status(struct virtio_dev *d, uint8_t status)
{
	if (status == 0) {
		virtio_dev_reset(d);
		return;
	}
	uint8_t old = d->status;
	uint8_t added = status & ~old;
	/* Bits the driver may not clear without a reset, and one it may not set. */
	status |= old & (VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FEATURES_OK |
			 VIRTIO_CONFIG_S_DRIVER_OK);
	if (!(old & VIRTIO_CONFIG_S_NEEDS_RESET))
		status &= ~VIRTIO_CONFIG_S_NEEDS_RESET;
	if ((added & VIRTIO_CONFIG_S_FEATURES_OK) && !virtio_dev_features_valid(d))
		status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	d->status = status;
	if (added & VIRTIO_CONFIG_S_DRIVER_OK) {
		if (!d->legacy && !(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
			virtio_dev_fail(d, "DRIVER_OK set before FEATURES_OK was accepted");
			return;
		}
		if (d->ops && d->ops->driver_ok)
			d->ops->driver_ok(d);
	}
}

uint32_t virtio_dev_host_features(const struct virtio_dev *d, unsigned word)
{
	if (word > 1)
		return 0;
	uint64_t f = d->host_features;
	/* The legacy interface has 32 feature bits and no VERSION_1. */
	return (uint32_t)(f >> (32 * word));
}

void virtio_dev_set_guest_features(struct virtio_dev *d, unsigned word, uint32_t value)
{
	if (word > 1 || (d->status & (VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)))
		return;
	if (d->legacy) {
		/* Legacy has no FEATURES_OK handshake: take what we offer. */
		if (word)
			return;
		value &= (uint32_t)d->host_features;
	}
	uint64_t mask = 0xffffffffULL << (32 * word);
	d->guest_features = (d->guest_features & ~mask) | ((uint64_t)value << (32 * word));
}

bool virtio_dev_has(const struct virtio_dev *d, unsigned feature)
{
	return feature < 64 && (d->guest_features & (1ULL << feature));
}

bool virtio_dev_queue_enable(struct virtio_dev *d, unsigned q)
{
	if (q >= d->num_queues)
		return false;
	if (!vq_enable(&d->queues[q], d->guest_features)) {
		virtio_dev_fail(d, "%s", d->queues[q].error);
		return false;
	}
	return true;
}

void virtio_dev_queue_notify(struct virtio_dev *d, unsigned q)
{
	if (q >= d->num_queues || !d->queues[q].ready || !virtio_dev_live(d))
		return;
	if (d->ops && d->ops->queue_notify)
		d->ops->queue_notify(d, q);
}

void virtio_dev_queue_interrupt(struct virtio_dev *d, unsigned q)
{
	if (q < d->num_queues && vq_should_notify(&d->queues[q]))
		virtio_dev_interrupt(d, (int)q);
}

void virtio_dev_config_changed(struct virtio_dev *d)
{
	d->config_generation++;
	if (d->status & VIRTIO_CONFIG_S_DRIVER_OK)
		virtio_dev_interrupt(d, VIRTIO_IRQ_CONFIG);
}

void virtio_dev_config_read(struct virtio_dev *d, uint32_t off, void *data, unsigned len)
{
	uint8_t *out = data;
	for (unsigned i = 0; i < len; i++)
		out[i] = (uint64_t)off + i < d->config_len ? d->config[off + i] : 0;
}

void virtio_dev_config_write(struct virtio_dev *d, uint32_t off, const void *data, unsigned len)
{
	if ((uint64_t)off + len > d->config_len)
		return;
	memcpy(d->config + off, data, len);
	if (d->ops && d->ops->config_written)
		d->ops->config_written(d, off, len);
}
