#include "hw/rtc.h"

#include "vmm/layout.h"

#include <string.h>
#include <time.h>

/* Register indices. */
enum {
	RTC_SEC = 0x00, RTC_SEC_ALARM = 0x01, RTC_MIN = 0x02, RTC_MIN_ALARM = 0x03,
	RTC_HOUR = 0x04, RTC_HOUR_ALARM = 0x05, RTC_WDAY = 0x06, RTC_MDAY = 0x07,
	RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0A, RTC_REG_B = 0x0B,
	RTC_REG_C = 0x0C, RTC_REG_D = 0x0D, RTC_CENTURY = 0x32,
};

#define REG_A_UIP 0x80
#define REG_B_SET 0x80
#define REG_B_PIE 0x40
#define REG_B_AIE 0x20
#define REG_B_UIE 0x10
#define REG_B_DM_BINARY 0x04
#define REG_B_24H 0x02
#define REG_C_IRQF 0x80
#define REG_C_PF 0x40
#define REG_C_AF 0x20
#define REG_C_UF 0x10
#define REG_D_VRT 0x80

#define NS_PER_S 1000000000ULL
#define RTC_OSC_HZ 32768
#define ALARM_SCAN_MAX 86400  /* seconds of displayed time checked at most */

struct rtc {
	struct vclock *clock;
	struct irq_line irq;
	struct vtimer timer;
	rtc_wall_fn *wall;
	void *wall_opaque;

	uint8_t cmos[RTC_CMOS_SIZE];  /* A, B and the frozen time live here too */
	uint8_t index_reg;            /* last write to 0x70, NMI bit included */
	uint8_t regc;                 /* PF/AF/UF flags (IRQF computed) */
	int64_t offset;               /* guest time - host time, seconds */
	uint64_t last_ns;             /* guest time flags were last brought up to */
	int64_t alarm_checked;        /* displayed time the alarm was last checked at */
};

static int64_t rtc_wall_default(void *opaque)
{
	(void)opaque;
	return g_get_real_time() / G_USEC_PER_SEC;
}

int64_t rtc_guest_time(const struct rtc *r)
{
	return r->wall(r->wall_opaque) + r->offset;
}

/* ---- time registers ---- */

static bool rtc_binary(const struct rtc *r)
{
	return r->cmos[RTC_REG_B] & REG_B_DM_BINARY;
}

static uint8_t rtc_encode(const struct rtc *r, unsigned v)
{
	v %= 100;
	return rtc_binary(r) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static int rtc_decode(const struct rtc *r, uint8_t v)
{
	return rtc_binary(r) ? v : (v >> 4) * 10 + (v & 0x0F);
}

static uint8_t rtc_encode_hour(const struct rtc *r, unsigned hour)
{
	if (r->cmos[RTC_REG_B] & REG_B_24H)
		return rtc_encode(r, hour);
	unsigned h12 = hour % 12 ? hour % 12 : 12;
	return rtc_encode(r, h12) | (hour >= 12 ? 0x80 : 0);
}

static int rtc_decode_hour(const struct rtc *r, uint8_t v)
{
	if (r->cmos[RTC_REG_B] & REG_B_24H)
		return rtc_decode(r, v);
	return rtc_decode(r, v & 0x7F) % 12 + ((v & 0x80) ? 12 : 0);
}

static bool rtc_is_time_reg(unsigned idx)
{
	switch (idx) {
	case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_WDAY:
	case RTC_MDAY: case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
		return true;
	default:
		return false;
	}
}

/* Copies the current time into the clock registers. */
static void rtc_latch(struct rtc *r)
{
	time_t t = (time_t)rtc_guest_time(r);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return;
	int year = tm.tm_year + 1900;
	r->cmos[RTC_SEC] = rtc_encode(r, (unsigned)tm.tm_sec);
	r->cmos[RTC_MIN] = rtc_encode(r, (unsigned)tm.tm_min);
	r->cmos[RTC_HOUR] = rtc_encode_hour(r, (unsigned)tm.tm_hour);
	r->cmos[RTC_WDAY] = rtc_encode(r, (unsigned)tm.tm_wday + 1);
	r->cmos[RTC_MDAY] = rtc_encode(r, (unsigned)tm.tm_mday);
	r->cmos[RTC_MONTH] = rtc_encode(r, (unsigned)tm.tm_mon + 1);
	r->cmos[RTC_YEAR] = rtc_encode(r, (unsigned)(year % 100));
	r->cmos[RTC_CENTURY] = rtc_encode(r, (unsigned)(year / 100));
}

/* Makes the clock registers the current time (the guest set the clock).
 * Whatever the guest wrote, timegm() normalises it; nothing can fail. */
static void rtc_commit(struct rtc *r)
{
	struct tm tm = { 0 };
	tm.tm_sec = rtc_decode(r, r->cmos[RTC_SEC]);
	tm.tm_min = rtc_decode(r, r->cmos[RTC_MIN]);
	tm.tm_hour = rtc_decode_hour(r, r->cmos[RTC_HOUR]);
	tm.tm_mday = rtc_decode(r, r->cmos[RTC_MDAY]);
	tm.tm_mon = rtc_decode(r, r->cmos[RTC_MONTH]) - 1;
	tm.tm_year = rtc_decode(r, r->cmos[RTC_CENTURY]) * 100 + rtc_decode(r, r->cmos[RTC_YEAR]) - 1900;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return;
	r->offset = (int64_t)t - r->wall(r->wall_opaque);
	r->alarm_checked = (int64_t)t;
}

/* ---- interrupts ---- */

/* Periodic rate in 32.768 kHz ticks, 0 when off. Rates 1 and 2 are the
 * same as 8 and 9 with a 32.768 kHz time base. */
static uint32_t rtc_period_ticks(const struct rtc *r)
{
	unsigned rs = r->cmos[RTC_REG_A] & 0x0F;
	if (rs == 0)
		return 0;
	if (rs <= 2)
		rs += 7;
	return 1u << (rs - 1);
}

static uint64_t rtc_tick_index(uint64_t ns, uint32_t ticks)
{
	return (uint64_t)((unsigned __int128)ns * RTC_OSC_HZ / ((uint64_t)ticks * NS_PER_S));
}

static uint64_t rtc_tick_time(uint64_t index, uint32_t ticks)
{
	unsigned __int128 num = (unsigned __int128)index * ticks * NS_PER_S;
	unsigned __int128 t = (num + RTC_OSC_HZ - 1) / RTC_OSC_HZ;
	return t > UINT64_MAX - 1 ? VCLOCK_NEVER : (uint64_t)t;
}

static bool rtc_alarm_field(const struct rtc *r, unsigned reg, int value, bool hour)
{
	uint8_t a = r->cmos[reg];
	if ((a & 0xC0) == 0xC0)
		return true;  /* don't care */
	return (hour ? rtc_decode_hour(r, a) : rtc_decode(r, a)) == value;
}

/* Whether a displayed second in (from, to] matches the alarm. */
static bool rtc_alarm_hit(const struct rtc *r, int64_t from, int64_t to)
{
	if (to <= from)
		return false;
	if (to - from > ALARM_SCAN_MAX)
		from = to - ALARM_SCAN_MAX;
	for (int64_t s = from + 1; s <= to; s++) {
		time_t t = (time_t)s;
		struct tm tm;
		if (!gmtime_r(&t, &tm))
			return false;
		if (rtc_alarm_field(r, RTC_SEC_ALARM, tm.tm_sec, false) &&
		    rtc_alarm_field(r, RTC_MIN_ALARM, tm.tm_min, false) &&
		    rtc_alarm_field(r, RTC_HOUR_ALARM, tm.tm_hour, true))
			return true;
	}
	return false;
}

/* Sets the flags for every periodic tick and update cycle between the last
 * call and now. */
static void rtc_catch_up(struct rtc *r, uint64_t now)
{
	if (now <= r->last_ns)
		return;
	uint32_t ticks = rtc_period_ticks(r);
	if (ticks && rtc_tick_index(now, ticks) != rtc_tick_index(r->last_ns, ticks))
		r->regc |= REG_C_PF;
	if (now / NS_PER_S != r->last_ns / NS_PER_S && !(r->cmos[RTC_REG_B] & REG_B_SET)) {
		r->regc |= REG_C_UF;
		int64_t t = rtc_guest_time(r);
		if (rtc_alarm_hit(r, r->alarm_checked, t))
			r->regc |= REG_C_AF;
		if (t > r->alarm_checked)
			r->alarm_checked = t;
	}
	r->last_ns = now;
}

static bool rtc_irqf(const struct rtc *r)
{
	uint8_t b = r->cmos[RTC_REG_B];
	return ((r->regc & REG_C_PF) && (b & REG_B_PIE)) ||
	       ((r->regc & REG_C_AF) && (b & REG_B_AIE)) ||
	       ((r->regc & REG_C_UF) && (b & REG_B_UIE));
}

static void rtc_rearm(struct rtc *r, uint64_t now)
{
	uint8_t b = r->cmos[RTC_REG_B];
	uint64_t next = VCLOCK_NEVER;
	uint32_t ticks = rtc_period_ticks(r);
	if ((b & REG_B_PIE) && ticks)
		next = rtc_tick_time(rtc_tick_index(now, ticks) + 1, ticks);
	if ((b & (REG_B_UIE | REG_B_AIE)) && !(b & REG_B_SET)) {
		uint64_t sec = (now / NS_PER_S + 1) * NS_PER_S;
		if (sec < next)
			next = sec;
	}
	if (next == VCLOCK_NEVER)
		vtimer_disarm(r->clock, &r->timer);
	else
		vtimer_arm(r->clock, &r->timer, next);
}

static void rtc_refresh(struct rtc *r)
{
	uint64_t now = vclock_now(r->clock);
	rtc_catch_up(r, now);
	irq_line_set(&r->irq, rtc_irqf(r));
	rtc_rearm(r, now);
}

static void rtc_timer_fire(void *opaque, uint64_t now)
{
	struct rtc *r = opaque;
	rtc_catch_up(r, now);
	irq_line_set(&r->irq, rtc_irqf(r));
	rtc_rearm(r, now);
}

/* ---- registers ---- */

static uint8_t rtc_read_reg(struct rtc *r, unsigned idx)
{
	uint8_t v;
	switch (idx) {
	case RTC_REG_A:
		return r->cmos[RTC_REG_A] & ~REG_A_UIP;
	case RTC_REG_C:
		rtc_catch_up(r, vclock_now(r->clock));
		v = r->regc | (rtc_irqf(r) ? REG_C_IRQF : 0);
		r->regc = 0;
		irq_line_lower(&r->irq);
		return v;
	case RTC_REG_D:
		return REG_D_VRT;
	default:
		if (rtc_is_time_reg(idx) && !(r->cmos[RTC_REG_B] & REG_B_SET))
			rtc_latch(r);
		return r->cmos[idx];
	}
}

static void rtc_write_b(struct rtc *r, uint8_t v)
{
	uint8_t old = r->cmos[RTC_REG_B];
	/* Bring the flags up to date under the old settings first. */
	rtc_catch_up(r, vclock_now(r->clock));
	if ((v & REG_B_SET) && !(old & REG_B_SET))
		rtc_latch(r);  /* freeze the registers for the guest to write */
	if (v & REG_B_SET)
		v &= ~REG_B_UIE;  /* SET clears UIE, per the datasheet */
	r->cmos[RTC_REG_B] = v;
	if (!(v & REG_B_SET) && (old & REG_B_SET))
		rtc_commit(r);
	rtc_refresh(r);
}

static void rtc_write_reg(struct rtc *r, unsigned idx, uint8_t v)
{
	switch (idx) {
	case RTC_REG_A:
		rtc_catch_up(r, vclock_now(r->clock));
		r->cmos[RTC_REG_A] = v & ~REG_A_UIP;
		rtc_refresh(r);
		return;
	case RTC_REG_B:
		rtc_write_b(r, v);
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return;  /* read-only */
	default:
		if (rtc_is_time_reg(idx) && !(r->cmos[RTC_REG_B] & REG_B_SET)) {
			/* Without SET a write takes effect at once. */
			rtc_latch(r);
			r->cmos[idx] = v;
			rtc_commit(r);
			return;
		}
		r->cmos[idx] = v;
	}
}

void rtc_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	struct rtc *r = opaque;
	uint8_t *p = data;
	for (unsigned i = 0; i < len; i++) {
		uint64_t port = offset + i;
		if (port == 0) {
			if (is_write)
				r->index_reg = p[i];
			else
				p[i] = r->index_reg;
		} else if (port == 1) {
			unsigned idx = r->index_reg & 0x7F;
			if (is_write)
				rtc_write_reg(r, idx, p[i]);
			else
				p[i] = rtc_read_reg(r, idx);
		} else if (!is_write) {
			p[i] = 0xFF;
		}
	}
}

/* ---- lifecycle ---- */

void rtc_set_memory_size(struct rtc *r, uint64_t below_4g, uint64_t above_4g)
{
	uint64_t ext_kib = below_4g > MiB ? (below_4g - MiB) / KiB : 0;
	uint64_t over16 = below_4g > 16 * MiB ? (below_4g - 16 * MiB) / (64 * KiB) : 0;
	uint64_t high = above_4g / (64 * KiB);
	if (ext_kib > 0xFFFF)
		ext_kib = 0xFFFF;
	if (over16 > 0xFFFF)
		over16 = 0xFFFF;
	if (high > 0xFFFFFF)
		high = 0xFFFFFF;
	r->cmos[0x15] = 640 & 0xFF;
	r->cmos[0x16] = 640 >> 8;
	r->cmos[0x17] = r->cmos[0x30] = (uint8_t)ext_kib;
	r->cmos[0x18] = r->cmos[0x31] = (uint8_t)(ext_kib >> 8);
	r->cmos[0x34] = (uint8_t)over16;
	r->cmos[0x35] = (uint8_t)(over16 >> 8);
	r->cmos[0x5B] = (uint8_t)high;
	r->cmos[0x5C] = (uint8_t)(high >> 8);
	r->cmos[0x5D] = (uint8_t)(high >> 16);
	unsigned sum = 0;
	for (unsigned i = 0x10; i <= 0x2D; i++)
		sum += r->cmos[i];
	r->cmos[0x2E] = (uint8_t)(sum >> 8);
	r->cmos[0x2F] = (uint8_t)sum;
}

uint8_t rtc_cmos_peek(const struct rtc *r, unsigned index)
{
	return index < RTC_CMOS_SIZE ? r->cmos[index] : 0xFF;
}

bool rtc_nmi_masked(const struct rtc *r)
{
	return r->index_reg & 0x80;
}

void rtc_set_wall_clock(struct rtc *r, rtc_wall_fn *fn, void *opaque)
{
	r->wall = fn ? fn : rtc_wall_default;
	r->wall_opaque = fn ? opaque : NULL;
	r->alarm_checked = rtc_guest_time(r);
}

void rtc_reset(struct rtc *r)
{
	r->cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | 0x08 /* SQWE */);
	r->regc = 0;
	r->last_ns = vclock_now(r->clock);
	irq_line_lower(&r->irq);
	vtimer_disarm(r->clock, &r->timer);
}

struct rtc *rtc_create(struct vclock *clock, struct irq_line irq)
{
	struct rtc *r = g_new0(struct rtc, 1);
	r->clock = clock;
	r->irq = irq;
	r->wall = rtc_wall_default;
	r->cmos[RTC_REG_A] = 0x26;  /* 32.768 kHz time base, 1024 Hz periodic rate */
	r->cmos[RTC_REG_B] = REG_B_24H;
	r->cmos[RTC_REG_D] = REG_D_VRT;
	r->alarm_checked = rtc_guest_time(r);
	vclock_add_timer(clock, &r->timer, rtc_timer_fire, r, "rtc");
	rtc_reset(r);
	return r;
}

bool rtc_register(struct rtc *r, struct bus *pio, GError **err)
{
	return bus_register(pio, PORT_RTC, 2, rtc_io, r, "rtc", err);
}

void rtc_destroy(struct rtc *r)
{
	if (!r)
		return;
	vclock_remove_timer(r->clock, &r->timer);
	g_free(r);
}
