#include "hw/rtc.h"

#include "vmm/layout.h"

#include "devtest.h"

#include <time.h>

#define LINE IRQ_RTC

struct fixture {
	struct irqlog irq;
	struct bus pio;
	struct vclock clock;
	struct rtc *r;
	int64_t wall;
};

static int64_t fake_wall(void *opaque)
{
	return *(int64_t *)opaque;
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };
	return (int64_t)timegm(&tm);
}

/* Guest time starts equal to the fake wall clock: Thursday 2024-02-29 13:45:56 UTC. */
static void setup(struct fixture *f)
{
	irqlog_init(&f->irq);
	bus_init(&f->pio, "pio");
	vclock_init(&f->clock, VCLOCK_DETERMINISTIC);
	f->wall = utc(2024, 2, 29, 13, 45, 56);
	f->r = rtc_create(&f->clock, irqlog_line(&f->irq, LINE));
	g_assert_true(rtc_register(f->r, &f->pio, NULL));
	rtc_set_wall_clock(f->r, fake_wall, &f->wall);
	g_assert_cmpint(rtc_guest_time(f->r), ==, f->wall);
}

static void teardown(struct fixture *f)
{
	rtc_destroy(f->r);
	bus_destroy(&f->pio);
}

static uint8_t cmos_read(struct fixture *f, uint8_t idx)
{
	outb(&f->pio, 0x70, idx);
	return inb(&f->pio, 0x71);
}

static void cmos_write(struct fixture *f, uint8_t idx, uint8_t v)
{
	outb(&f->pio, 0x70, idx);
	outb(&f->pio, 0x71, v);
}

static void test_bcd_24h(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(cmos_read(&f, 0x00), ==, 0x56);
	g_assert_cmpuint(cmos_read(&f, 0x02), ==, 0x45);
	g_assert_cmpuint(cmos_read(&f, 0x04), ==, 0x13);
	g_assert_cmpuint(cmos_read(&f, 0x06), ==, 5);     /* Thursday; Sunday = 1 */
	g_assert_cmpuint(cmos_read(&f, 0x07), ==, 0x29);
	g_assert_cmpuint(cmos_read(&f, 0x08), ==, 0x02);
	g_assert_cmpuint(cmos_read(&f, 0x09), ==, 0x24);
	g_assert_cmpuint(cmos_read(&f, 0x32), ==, 0x20);
	/* Time follows the host clock. */
	f.wall += 65;
	g_assert_cmpuint(cmos_read(&f, 0x00), ==, 0x01);
	g_assert_cmpuint(cmos_read(&f, 0x02), ==, 0x47);
	teardown(&f);
}

static void test_binary_and_12h(void)
{
	struct fixture f;
	setup(&f);
	cmos_write(&f, 0x0B, 0x06);  /* binary, 24 h */
	g_assert_cmpuint(cmos_read(&f, 0x00), ==, 56);
	g_assert_cmpuint(cmos_read(&f, 0x04), ==, 13);
	g_assert_cmpuint(cmos_read(&f, 0x09), ==, 24);
	g_assert_cmpuint(cmos_read(&f, 0x32), ==, 20);
	cmos_write(&f, 0x0B, 0x04);  /* binary, 12 h: 1 PM */
	g_assert_cmpuint(cmos_read(&f, 0x04), ==, 0x81);
	cmos_write(&f, 0x0B, 0x00);  /* BCD, 12 h */
	g_assert_cmpuint(cmos_read(&f, 0x04), ==, 0x81);
	f.wall -= 13 * 3600;         /* 00:45 is 12 AM */
	g_assert_cmpuint(cmos_read(&f, 0x04), ==, 0x12);
	f.wall += 12 * 3600;         /* 12:45 is 12 PM */
	g_assert_cmpuint(cmos_read(&f, 0x04), ==, 0x92);
	/* Writing the hour in 12 h mode: 11 PM. */
	cmos_write(&f, 0x04, 0x91);
	g_assert_cmpint(rtc_guest_time(f.r) - f.wall, ==, 11 * 3600);
	teardown(&f);
}

static void test_set_time(void)
{
	struct fixture f;
	setup(&f);
	cmos_write(&f, 0x0B, 0x82);  /* SET: registers frozen */
	uint8_t frozen = cmos_read(&f, 0x00);
	f.wall += 3;
	g_assert_cmpuint(cmos_read(&f, 0x00), ==, frozen);
	cmos_write(&f, 0x00, 0x05);
	cmos_write(&f, 0x02, 0x04);
	cmos_write(&f, 0x04, 0x03);
	cmos_write(&f, 0x07, 0x02);
	cmos_write(&f, 0x08, 0x01);
	cmos_write(&f, 0x09, 0x30);
	cmos_write(&f, 0x32, 0x20);
	cmos_write(&f, 0x0B, 0x02);  /* release: 2030-01-02 03:04:05 */
	g_assert_cmpint(rtc_guest_time(f.r), ==, utc(2030, 1, 2, 3, 4, 5));
	f.wall += 10;
	g_assert_cmpuint(cmos_read(&f, 0x00), ==, 0x15);
	g_assert_cmpuint(cmos_read(&f, 0x09), ==, 0x30);
	g_assert_cmpuint(cmos_read(&f, 0x06), ==, 4);  /* Wednesday */
	/* Without SET a write takes effect at once. */
	cmos_write(&f, 0x02, 0x30);
	g_assert_cmpint(rtc_guest_time(f.r), ==, utc(2030, 1, 2, 3, 30, 15));
	/* Garbage never crashes: it is normalised. */
	cmos_write(&f, 0x0B, 0x82);
	cmos_write(&f, 0x08, 0xFF);
	cmos_write(&f, 0x07, 0xFF);
	cmos_write(&f, 0x0B, 0x02);
	cmos_read(&f, 0x00);
	/* The offset survives a machine reset. */
	int64_t before = rtc_guest_time(f.r);
	rtc_reset(f.r);
	g_assert_cmpint(rtc_guest_time(f.r), ==, before);
	teardown(&f);
}

static void test_registers(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(cmos_read(&f, 0x0A), ==, 0x26);
	g_assert_cmpuint(cmos_read(&f, 0x0B), ==, 0x02);
	g_assert_cmpuint(cmos_read(&f, 0x0D), ==, 0x80);
	cmos_write(&f, 0x0D, 0x00);
	g_assert_cmpuint(cmos_read(&f, 0x0D), ==, 0x80);
	cmos_write(&f, 0x0A, 0xA6);                 /* UIP is read-only */
	g_assert_cmpuint(cmos_read(&f, 0x0A), ==, 0x26);
	/* SET clears UIE. */
	cmos_write(&f, 0x0B, 0x92);
	g_assert_cmpuint(cmos_read(&f, 0x0B), ==, 0x82);
	cmos_write(&f, 0x0B, 0x02);
	/* Plain CMOS bytes. */
	cmos_write(&f, 0x40, 0xAB);
	cmos_write(&f, 0x7F, 0xCD);
	g_assert_cmpuint(cmos_read(&f, 0x40), ==, 0xAB);
	g_assert_cmpuint(cmos_read(&f, 0x7F), ==, 0xCD);
	g_assert_cmpuint(cmos_read(&f, 0xFF), ==, 0xCD);  /* bit 7 is the NMI mask */
	teardown(&f);
}

static void test_nmi_mask(void)
{
	struct fixture f;
	setup(&f);
	g_assert_false(rtc_nmi_masked(f.r));
	outb(&f.pio, 0x70, 0x8F);
	g_assert_true(rtc_nmi_masked(f.r));
	g_assert_cmpuint(inb(&f.pio, 0x70), ==, 0x8F);
	outb(&f.pio, 0x70, 0x0F);
	g_assert_false(rtc_nmi_masked(f.r));
	teardown(&f);
}

/* Steps the deterministic clock to its next deadline and fires timers. */
static void step(struct fixture *f)
{
	uint64_t next = vclock_next_deadline(&f->clock);
	g_assert_cmpuint(next, !=, VCLOCK_NEVER);
	vclock_warp_to(&f->clock, next);
	vclock_run_expired(&f->clock);
}

static void test_periodic(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, VCLOCK_NEVER);
	cmos_write(&f, 0x0A, 0x26);          /* 1024 Hz */
	cmos_write(&f, 0x0B, 0x42);          /* PIE */
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, 976563);
	g_assert_false(f.irq.level[LINE]);
	for (unsigned i = 0; i < 1024; i++) {
		step(&f);
		g_assert_true(f.irq.level[LINE]);
		/* IRQF | PF (and UF at the second boundary, not enabled) */
		g_assert_cmpuint(cmos_read(&f, 0x0C), ==, i == 1023 ? 0xD0 : 0xC0);
		g_assert_false(f.irq.level[LINE]);                 /* read clears, lowers IRQ 8 */
	}
	g_assert_cmpuint(vclock_now(&f.clock), ==, 1000000000);  /* exactly 1024 periods */
	g_assert_cmpuint(f.irq.edges[LINE], ==, 1024);
	g_assert_cmpuint(cmos_read(&f, 0x0C), ==, 0x00);

	/* Rate 15: 2 Hz. Rates 1 and 2 act as 8 and 9. */
	cmos_write(&f, 0x0A, 0x2F);
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, 1500000000);
	cmos_write(&f, 0x0A, 0x21);
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, 1000000000 + 3906250);
	/* Rate 0 or PIE clear: no timer. */
	cmos_write(&f, 0x0A, 0x20);
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, VCLOCK_NEVER);
	cmos_write(&f, 0x0A, 0x26);
	cmos_write(&f, 0x0B, 0x02);
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, VCLOCK_NEVER);
	/* PF still shows up (polled) without PIE, but raises no IRQ. */
	vclock_warp_to(&f.clock, 1002000000);
	g_assert_cmpuint(cmos_read(&f, 0x0C), ==, 0x40);
	g_assert_false(f.irq.level[LINE]);
	teardown(&f);
}

static void test_update_and_alarm(void)
{
	struct fixture f;
	setup(&f);
	cmos_write(&f, 0x0A, 0x20);          /* no periodic flag in the way */
	cmos_read(&f, 0x0C);
	cmos_write(&f, 0x0B, 0x12);          /* UIE */
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, 1000000000);
	step(&f);
	g_assert_true(f.irq.level[LINE]);
	g_assert_cmpuint(cmos_read(&f, 0x0C) & 0xF0, ==, 0x90);  /* IRQF | UF */
	g_assert_false(f.irq.level[LINE]);

	/* Alarm two displayed seconds ahead, minutes and hours don't care. */
	cmos_write(&f, 0x0B, 0x22);          /* AIE only */
	cmos_write(&f, 0x01, 0x58);
	cmos_write(&f, 0x03, 0xFF);
	cmos_write(&f, 0x05, 0xC0);
	f.wall++;                             /* :57 */
	step(&f);
	g_assert_false(f.irq.level[LINE]);
	g_assert_cmpuint(cmos_read(&f, 0x0C), ==, 0x10);  /* UF only, no IRQ */
	f.wall++;                             /* :58 */
	step(&f);
	g_assert_true(f.irq.level[LINE]);
	g_assert_cmpuint(cmos_read(&f, 0x0C), ==, 0xB0);  /* IRQF | AF | UF */
	/* A displayed-time jump over the alarm second is not missed. */
	cmos_write(&f, 0x01, 0x10);
	f.wall += 20;                         /* :58 -> 1:46:18 */
	step(&f);
	g_assert_cmpuint(cmos_read(&f, 0x0C), ==, 0xB0);
	teardown(&f);
}

static void test_reset_clears_interrupts(void)
{
	struct fixture f;
	setup(&f);
	cmos_write(&f, 0x0B, 0x42);
	step(&f);
	g_assert_true(f.irq.level[LINE]);
	rtc_reset(f.r);
	g_assert_false(f.irq.level[LINE]);
	g_assert_cmpuint(cmos_read(&f, 0x0B), ==, 0x02);
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, VCLOCK_NEVER);
	g_assert_cmpuint(cmos_read(&f, 0x0C), ==, 0x00);
	teardown(&f);
}

static void test_memory_size(void)
{
	struct fixture f;
	setup(&f);
	rtc_set_memory_size(f.r, 512 * MiB, 1 * GiB);
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x15), ==, 0x80);
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x16), ==, 0x02);
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x17), ==, 0xFF);  /* 523264 KiB, capped */
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x18), ==, 0xFF);
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x30), ==, 0xFF);
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x31), ==, 0xFF);
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x34), ==, 0x00);  /* 7936 blocks = 0x1F00 */
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x35), ==, 0x1F);
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x5B), ==, 0x00);  /* 16384 blocks = 0x4000 */
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x5C), ==, 0x40);
	g_assert_cmpuint(rtc_cmos_peek(f.r, 0x5D), ==, 0x00);
	rtc_set_memory_size(f.r, 32 * MiB, 0);
	g_assert_cmpuint(cmos_read(&f, 0x17) | (cmos_read(&f, 0x18) << 8), ==, 31 * 1024);
	g_assert_cmpuint(cmos_read(&f, 0x34) | (cmos_read(&f, 0x35) << 8), ==, 256);
	unsigned sum = 0;
	for (unsigned i = 0x10; i <= 0x2D; i++)
		sum += rtc_cmos_peek(f.r, i);
	g_assert_cmpuint((rtc_cmos_peek(f.r, 0x2E) << 8) | rtc_cmos_peek(f.r, 0x2F), ==, sum);
	teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rtc/bcd-24h", test_bcd_24h);
	g_test_add_func("/rtc/binary-12h", test_binary_and_12h);
	g_test_add_func("/rtc/set-time", test_set_time);
	g_test_add_func("/rtc/registers", test_registers);
	g_test_add_func("/rtc/nmi-mask", test_nmi_mask);
	g_test_add_func("/rtc/periodic", test_periodic);
	g_test_add_func("/rtc/update-alarm", test_update_and_alarm);
	g_test_add_func("/rtc/reset", test_reset_clears_interrupts);
	g_test_add_func("/rtc/memory-size", test_memory_size);
	return g_test_run();
}
