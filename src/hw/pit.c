/* i8254 PIT: see pit.h. Behaviour per the Intel 8254 datasheet; a counter
 * is described by its reload value N and the ticks it has counted since it
 * was loaded (d), from which the count and OUT are derived:
 *   mode 0  OUT low until d == N, then high (interrupt on terminal count)
 *   mode 1  like 0, started by a gate rising edge (one-shot)
 *   mode 2  period N, OUT low for the last tick of each period (rate generator)
 *   mode 3  period N, OUT high for ceil(N/2) ticks then low (square wave)
 *   mode 4  OUT low for one tick at d == N (software strobe)
 *   mode 5  like 4, started by a gate rising edge */
#include "hw/pit.h"

#include <string.h>

#include "vmm/layout.h"

#define PIT_NONE UINT64_MAX
#define PIT_REFRESH_NS 15085  /* port 0x61 bit 4 toggles every 15.085 us */

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };

struct pit_channel {
	uint32_t n;              /* reload value in use: 1..65536 (10000 in BCD) */
	uint32_t cr;             /* last count written (same range) */
	uint8_t mode, rw;
	bool bcd;
	bool gate;
	bool armed;              /* a count was written since the control word */
	bool running;            /* counting now */
	bool triggered;          /* modes 1/5: a gate edge started the count */
	bool null_count;         /* a written count is not yet in the counter */
	uint32_t pending_n;      /* modes 2/3: count taking over at tick pending_at */
	uint64_t pending_at;
	uint64_t load_time;      /* guest ns at which counting (re)started */
	int64_t ticks_base;      /* ticks counted at load_time (negative after a
	                          * modes 2/3 reload, which keeps the tick phase) */
	bool write_hi_next, read_hi_next;
	uint8_t write_lo;
	bool count_latched, status_latched;
	uint16_t latch;
	uint8_t status;
};

struct pit {
	struct vclock *clock;
	struct irq_line irq0;
	struct pit_channel ch[3];
	uint8_t port61;          /* bits 0-3 as written */
	struct vtimer timer;     /* next rising edge of OUT0 */
};

static uint64_t ns_to_ticks(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * PIT_FREQ_HZ / 1000000000ULL);
}

static uint64_t ticks_to_ns_ceil(uint64_t ticks)
{
	unsigned __int128 v = (unsigned __int128)ticks * 1000000000ULL + PIT_FREQ_HZ - 1;
	v /= PIT_FREQ_HZ;
	return v > UINT64_MAX / 2 ? UINT64_MAX / 2 : (uint64_t)v;
}

static uint64_t chan_elapsed(const struct pit_channel *c, uint64_t now)
{
	if (!c->running || now < c->load_time)
		return (uint64_t)c->ticks_base;
	return (uint64_t)(c->ticks_base + (int64_t)ns_to_ticks(now - c->load_time));
}

/* Guest time at which the counter has counted `ticks`. */
static uint64_t chan_time_of(const struct pit_channel *c, uint64_t ticks)
{
	if ((int64_t)ticks <= c->ticks_base)
		return c->load_time;
	return c->load_time + ticks_to_ns_ceil((uint64_t)((int64_t)ticks - c->ticks_base));
}

static void chan_start(struct pit_channel *c, uint64_t now)
{
	c->load_time = now;
	c->ticks_base = 0;
	c->running = c->gate;
}

/* Modes 2/3: a count written while counting takes over at the end of the
 * current period. */
static void chan_sync(struct pit_channel *c, uint64_t now)
{
	if (!c->pending_n || !c->running)
		return;
	if (chan_elapsed(c, now) < c->pending_at)
		return;
	c->ticks_base -= (int64_t)c->pending_at;  /* d restarts at 0 on the same tick grid */
	c->n = c->pending_n;
	c->pending_n = 0;
	c->null_count = false;
}

static bool chan_out(const struct pit_channel *c, uint64_t now)
{
	if (!c->armed)
		return c->mode != 0;
	uint64_t d = chan_elapsed(c, now);
	switch (c->mode) {
	case 0:
		return d >= c->n;
	case 1:
		return !c->triggered || d >= c->n;
	case 2:
		return !c->gate || d % c->n != c->n - 1 || c->n == 1;
	case 3:
		return !c->gate || d % c->n < (c->n + 1) / 2;
	case 4:
		return d != c->n;
	default: /* 5 */
		return !c->triggered || d != c->n;
	}
}

static uint16_t bin_to_bcd(uint32_t v)
{
	v %= 10000;
	return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | (v % 10));
}

static uint32_t bcd_to_bin(uint16_t v)
{
	return (v >> 12) * 1000u + ((v >> 8) & 15) * 100u + ((v >> 4) & 15) * 10u + (v & 15);
}

/* The value a read of the counting element returns now. */
static uint16_t chan_count(const struct pit_channel *c, uint64_t now)
{
	uint32_t modulus = c->bcd ? 10000 : 65536;
	uint64_t d = chan_elapsed(c, now);
	uint64_t v;
	if (!c->armed || ((c->mode == 1 || c->mode == 5) && !c->triggered)) {
		v = c->n;
	} else if (c->mode == 2) {
		v = c->n - d % c->n;
	} else if (c->mode == 3) {
		uint64_t phase = d % c->n, high = (c->n + 1) / 2;
		v = c->n - 2 * (phase < high ? phase : phase - high);
	} else {
		v = (c->n + modulus - d % modulus) % modulus;
	}
	v %= modulus;
	return c->bcd ? bin_to_bcd((uint32_t)v) : (uint16_t)v;
}

/* Tick of the next rising edge of OUT after tick d, or PIT_NONE. */
static uint64_t chan_next_edge(const struct pit_channel *c, uint64_t d)
{
	if (!c->armed || !c->running)
		return PIT_NONE;
	switch (c->mode) {
	case 2:
	case 3:
		return (d / c->n + 1) * c->n;
	case 0:
	case 1:
		if (c->mode == 1 && !c->triggered)
			return PIT_NONE;
		return d < c->n ? c->n : PIT_NONE;
	default: /* 4, 5: OUT returns high one tick after the strobe */
		if (c->mode == 5 && !c->triggered)
			return PIT_NONE;
		return d < c->n + 1ull ? c->n + 1ull : PIT_NONE;
	}
}

static void pit_rearm(struct pit *p, uint64_t now, bool after_fire)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t edge = chan_next_edge(c, chan_elapsed(c, now));
	if (c->pending_n && edge > c->pending_at)
		edge = c->pending_at;
	if (edge == PIT_NONE) {
		vtimer_disarm(p->clock, &p->timer);
		return;
	}
	uint64_t deadline = chan_time_of(c, edge);
	/* A periodic counter with a tiny count must not monopolise the vCPU. */
	if (after_fire && deadline < now + PIT_MIN_PERIOD_NS)
		deadline = now + PIT_MIN_PERIOD_NS;
	vtimer_arm(p->clock, &p->timer, deadline);
}

static void pit_timer_fire(void *opaque, uint64_t now)
{
	struct pit *p = opaque;
	irq_line_pulse(&p->irq0);
	chan_sync(&p->ch[0], now);
	pit_rearm(p, now, true);
}

static void chan_set_gate(struct pit_channel *c, bool gate, uint64_t now)
{
	chan_sync(c, now);
	if (gate == c->gate)
		return;
	c->gate = gate;
	switch (c->mode) {
	case 0:
	case 4: /* gate low suspends counting */
		if (!gate) {
			c->ticks_base = (int64_t)chan_elapsed(c, now);
			c->running = false;
		} else if (c->armed) {
			c->load_time = now;
			c->running = true;
		}
		break;
	case 1:
	case 5: /* a rising edge (re)triggers with the last written count */
		if (gate && c->armed) {
			c->n = c->cr;
			c->triggered = true;
			c->null_count = false;
			chan_start(c, now);
		}
		break;
	default: /* 2, 3: low stops and forces OUT high; rising edge reloads */
		if (!gate) {
			c->ticks_base = (int64_t)chan_elapsed(c, now);
			c->running = false;
		} else if (c->armed) {
			if (c->pending_n) {
				c->n = c->pending_n;
				c->pending_n = 0;
				c->null_count = false;
			}
			chan_start(c, now);
		}
		break;
	}
}

static void chan_load(struct pit_channel *c, uint16_t raw, uint64_t now)
{
	uint32_t v = c->bcd ? bcd_to_bin(raw) : raw;
	if (v == 0)
		v = c->bcd ? 10000 : 65536;
	c->cr = v;
	c->null_count = true;
	switch (c->mode) {
	case 1:
	case 5: /* takes effect at the next trigger */
		if (!c->armed)
			c->n = v;
		c->armed = true;
		break;
	case 2:
	case 3:
		if (c->armed && c->running) {
			c->pending_n = v;
			c->pending_at = (chan_elapsed(c, now) / c->n + 1) * c->n;
			break;
		}
		c->n = v;
		c->armed = true;
		c->null_count = false;
		chan_start(c, now);
		break;
	default: /* 0, 4: a new count restarts counting */
		c->n = v;
		c->armed = true;
		c->null_count = false;
		c->pending_n = 0;
		chan_start(c, now);
		break;
	}
}

static void chan_write_count(struct pit_channel *c, uint8_t val, uint64_t now)
{
	switch (c->rw) {
	case RW_LSB:
		chan_load(c, val, now);
		break;
	case RW_MSB:
		chan_load(c, (uint16_t)(val << 8), now);
		break;
	default:
		if (!c->write_hi_next) {
			c->write_lo = val;
			c->write_hi_next = true;
			if (c->mode == 0 && c->armed) {
				/* mode 0: the first byte stops counting, OUT goes low */
				c->ticks_base = 0;
				c->running = false;
			}
		} else {
			c->write_hi_next = false;
			chan_load(c, (uint16_t)(c->write_lo | val << 8), now);
		}
		break;
	}
}

static uint8_t chan_read(struct pit_channel *c, uint64_t now)
{
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	uint16_t v = c->count_latched ? c->latch : chan_count(c, now);
	bool hi;
	switch (c->rw) {
	case RW_LSB:
		hi = false;
		c->count_latched = false;
		break;
	case RW_MSB:
		hi = true;
		c->count_latched = false;
		break;
	default:
		hi = c->read_hi_next;
		c->read_hi_next = !c->read_hi_next;
		if (hi)
			c->count_latched = false;
		break;
	}
	return hi ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static void chan_latch_count(struct pit_channel *c, uint64_t now)
{
	if (c->count_latched)
		return;
	c->latch = chan_count(c, now);
	c->count_latched = true;
}

static void chan_latch_status(struct pit_channel *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)((chan_out(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
			      c->rw << 4 | c->mode << 1 | (c->bcd ? 1 : 0));
	c->status_latched = true;
}

static void pit_control(struct pit *p, uint8_t val, uint64_t now)
{
	unsigned sc = val >> 6;
	if (sc == 3) { /* read-back: bits 3:1 select counters 2..0 */
		for (unsigned i = 0; i < 3; i++) {
			if (!(val & (2u << i)))
				continue;
			chan_sync(&p->ch[i], now);
			if (!(val & 0x20))
				chan_latch_count(&p->ch[i], now);
			if (!(val & 0x10))
				chan_latch_status(&p->ch[i], now);
		}
		return;
	}
	struct pit_channel *c = &p->ch[sc];
	chan_sync(c, now);
	unsigned rw = (val >> 4) & 3;
	if (rw == RW_LATCH) {
		chan_latch_count(c, now);
		return;
	}
	unsigned mode = (val >> 1) & 7;
	c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);
	c->rw = (uint8_t)rw;
	c->bcd = val & 1;
	c->armed = false;
	c->running = false;
	c->triggered = false;
	c->null_count = true;
	c->pending_n = 0;
	c->ticks_base = 0;
	c->write_hi_next = false;
	c->read_hi_next = false;
	c->count_latched = false;
	c->status_latched = false;
	if (sc == 0)
		pit_rearm(p, now, false);
}

static void pit_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	struct pit *p = opaque;
	uint8_t *bytes = data;
	uint64_t now = vclock_now(p->clock);
	(void)cpu;
	for (unsigned i = 0; i < len; i++) {
		uint64_t port = offset + i;
		if (port >= 4) {
			if (!is_write)
				bytes[i] = 0xFF;
			continue;
		}
		if (port == 3) {
			if (is_write)
				pit_control(p, bytes[i], now);
			else
				bytes[i] = 0xFF;  /* the control register cannot be read */
			continue;
		}
		struct pit_channel *c = &p->ch[port];
		chan_sync(c, now);
		if (is_write) {
			chan_write_count(c, bytes[i], now);
			if (port == 0)
				pit_rearm(p, now, false);
		} else {
			bytes[i] = chan_read(c, now);
		}
	}
}

static void pit_port61_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	struct pit *p = opaque;
	uint8_t *bytes = data;
	uint64_t now = vclock_now(p->clock);
	(void)cpu;
	if (offset != 0 || len == 0) {
		if (!is_write)
			memset(data, 0xFF, len);
		return;
	}
	if (is_write) {
		p->port61 = bytes[0] & 0x0F;
		chan_set_gate(&p->ch[2], bytes[0] & 1, now);
	} else {
		struct pit_channel *c2 = &p->ch[2];
		chan_sync(c2, now);
		bytes[0] = (uint8_t)(p->port61 | ((now / PIT_REFRESH_NS) & 1) << 4 |
				     (chan_out(c2, now) ? 0x20 : 0));
	}
	for (unsigned i = 1; i < len; i++)
		if (!is_write)
			bytes[i] = 0xFF;
}

struct pit *pit_create(struct vclock *clock, struct irq_line irq0)
{
	struct pit *p = g_new0(struct pit, 1);
	p->clock = clock;
	p->irq0 = irq0;
	vclock_add_timer(clock, &p->timer, pit_timer_fire, p, "pit");
	pit_reset(p);
	return p;
}

bool pit_register(struct pit *p, struct bus *pio, GError **err)
{
	return bus_register(pio, PORT_PIT, 4, pit_io, p, "pit", err) &&
	       bus_register(pio, PORT_SYS_CTRL_B, 1, pit_port61_io, p, "port61", err);
}

/* Counters unprogrammed (as at power-up, before firmware), gates 0 and 1
 * tied high, gate 2 low (port 0x61 = 0). */
void pit_reset(struct pit *p)
{
	vtimer_disarm(p->clock, &p->timer);
	memset(p->ch, 0, sizeof(p->ch));
	for (unsigned i = 0; i < 3; i++) {
		p->ch[i].n = 65536;
		p->ch[i].cr = 65536;
		p->ch[i].rw = RW_WORD;
		p->ch[i].gate = i != 2;
	}
	p->port61 = 0;
}

void pit_destroy(struct pit *p)
{
	if (!p)
		return;
	vclock_remove_timer(p->clock, &p->timer);
	g_free(p);
}
