#include "vmm/vclock.h"

#include <glib.h>

struct hits {
	unsigned n;
	uint64_t last;
	struct vclock *vc;
	struct vtimer *t;
	uint64_t period;
};

static void on_timer(void *opaque, uint64_t now)
{
	struct hits *h = opaque;
	h->n++;
	h->last = now;
	if (h->period)
		vtimer_arm(h->vc, h->t, now + h->period);
}

static void test_deterministic(void)
{
	struct vclock vc;
	struct vtimer t;
	struct hits h = { 0 };
	vclock_init(&vc, VCLOCK_DETERMINISTIC);
	vclock_add_timer(&vc, &t, on_timer, &h, "t");
	g_assert_cmpuint(vclock_now(&vc), ==, 0);
	vtimer_arm(&vc, &t, 1000);
	g_assert_cmpuint(vclock_next_deadline(&vc), ==, 1000);
	vclock_credit(&vc, 999);
	vclock_run_expired(&vc);
	g_assert_cmpuint(h.n, ==, 0);
	vclock_credit(&vc, 1);
	vclock_run_expired(&vc);
	g_assert_cmpuint(h.n, ==, 1);
	g_assert_cmpuint(vclock_next_deadline(&vc), ==, VCLOCK_NEVER);

	/* periodic timer and warp (a halted machine jumps to the deadline) */
	h.vc = &vc;
	h.t = &t;
	h.period = 500;
	vtimer_arm(&vc, &t, 1500);
	vclock_warp_to(&vc, vclock_next_deadline(&vc));
	g_assert_cmpuint(vclock_now(&vc), ==, 1500);
	vclock_run_expired(&vc);
	g_assert_cmpuint(h.n, ==, 2);
	g_assert_cmpuint(vclock_next_deadline(&vc), ==, 2000);
	vclock_warp_to(&vc, 100); /* the past: no effect */
	g_assert_cmpuint(vclock_now(&vc), ==, 1500);
}

static void test_disarm_recomputes(void)
{
	struct vclock vc;
	struct vtimer a, b;
	struct hits ha = { 0 }, hb = { 0 };
	vclock_init(&vc, VCLOCK_DETERMINISTIC);
	vclock_add_timer(&vc, &a, on_timer, &ha, "a");
	vclock_add_timer(&vc, &b, on_timer, &hb, "b");
	vtimer_arm(&vc, &a, 100);
	vtimer_arm(&vc, &b, 200);
	vtimer_disarm(&vc, &a);
	g_assert_cmpuint(vclock_next_deadline(&vc), ==, 200);
	vtimer_arm(&vc, &b, 300); /* moving the earliest later recomputes */
	g_assert_cmpuint(vclock_next_deadline(&vc), ==, 300);
}

static void nop_timer(void *opaque, uint64_t now)
{
	(void)now;
	(*(unsigned *)opaque)++;
}

static void test_remove_timer(void)
{
	struct vclock vc;
	vclock_init(&vc, VCLOCK_DETERMINISTIC);
	unsigned fired = 0;
	struct vtimer a, b, c;
	vclock_add_timer(&vc, &a, nop_timer, &fired, "a");
	vclock_add_timer(&vc, &b, nop_timer, &fired, "b");
	vclock_add_timer(&vc, &c, nop_timer, &fired, "c");
	vtimer_arm(&vc, &a, 100);
	vtimer_arm(&vc, &b, 200);
	vtimer_arm(&vc, &c, 300);
	vclock_remove_timer(&vc, &a);
	g_assert_cmpuint(vc.ntimers, ==, 2);
	g_assert_cmpuint(vclock_next_deadline(&vc), ==, 200);
	vclock_remove_timer(&vc, &a);  /* not on the clock: no-op */
	g_assert_cmpuint(vc.ntimers, ==, 2);
	vclock_warp_to(&vc, 1000);
	vclock_run_expired(&vc);
	g_assert_cmpuint(fired, ==, 2);
	vclock_remove_timer(&vc, &c);
	vclock_remove_timer(&vc, &b);
	g_assert_cmpuint(vc.ntimers, ==, 0);
	g_assert_cmpuint(vclock_next_deadline(&vc), ==, VCLOCK_NEVER);
}

static void test_realtime_pause(void)
{
	struct vclock vc;
	vclock_init(&vc, VCLOCK_REALTIME);
	uint64_t t0 = vclock_now(&vc);
	g_usleep(2000);
	uint64_t t1 = vclock_now(&vc);
	g_assert_cmpuint(t1, >, t0);
	vclock_pause(&vc);
	uint64_t p = vclock_now(&vc);
	g_usleep(2000);
	g_assert_cmpuint(vclock_now(&vc), ==, p);
	vclock_resume(&vc);
	g_assert_cmpuint(vclock_now(&vc), >=, p);
	g_assert_cmpuint(vclock_now(&vc), <, p + 1000000000ULL);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vclock/deterministic", test_deterministic);
	g_test_add_func("/vclock/disarm-recomputes", test_disarm_recomputes);
	g_test_add_func("/vclock/remove-timer", test_remove_timer);
	g_test_add_func("/vclock/realtime-pause", test_realtime_pause);
	return g_test_run();
}
