/*
 * Domains and vCPUs: creation, memory, start, shutdown and crash with the
 * configured on_* action, destruction. See hv/domain.h for the life cycle
 * and the reference counting.
 *
 * Tearing down happens off the vCPUs' own path: a shut-down or crashed
 * domain is handed to the reaper (a timer on the boot CPU), which waits until
 * none of its vCPUs is loaded on any pCPU, then carries out the action.
 *
 * Lock order: domlist_lock -> d->lock -> the scheduler lock -> p2m lock.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/sched.h>
#include <hv/shutdown.h>
#include <hv/time.h>
#include <hv/xmalloc.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/vlapic.h>
#include <asm/x86.h>

struct domain *domain_list;
DEFINE_SPINLOCK(domlist_lock);
static unsigned int domains_created, domains_ended_ok, domains_ended_bad;

static const char *const state_names[] = { "building", "running", "paused", "shut down", "crashed", "dying" };
static const char *const reason_names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog" };

const char *domain_state_name(const struct domain *d)
{
	return state_names[d->state];
}

void get_domain(struct domain *d)
{
	__atomic_fetch_add(&d->refcnt, 1, __ATOMIC_ACQUIRE);
}

static void domain_free(struct domain *d)
{
	/* Timers first: a vCPU timer, poll timeout or watchdog firing on another
	 * pCPU meanwhile reaches the event channels (VIRQ_TIMER) and the domain.
	 * kill_timer waits for a handler that is running. */
	for (unsigned int i = 0; d->vcpu && i < d->max_vcpus; i++) {
		struct vcpu *v = d->vcpu[i];

		if (!v)
			continue;
		vlapic_destroy(&v->arch.vlapic);
		vtime_vcpu_destroy(v);
		sched_op_vcpu_destroy(v);
	}
	sched_op_domain_destroy(d);
	domain_gnttab_destroy(d);
	domain_evtchn_destroy(d);
	for (unsigned int i = 0; d->vcpu && i < d->max_vcpus; i++) {
		struct vcpu *v = d->vcpu[i];

		if (!v)
			continue;
		hvm_vcpu_destroy(v);
		sched_vcpu_destroy(v);
		xfree(v);
	}
	xfree(d->vcpu);
	sched_dom_destroy(d);
	p2m_teardown(d);
	if (d->shared_info)
		free_xenheap_pages(d->shared_info, 0);
	domain_free_memory(d);
	xfree(d);
}

void put_domain(struct domain *d)
{
	if (__atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_RELEASE) == 0)
		domain_free(d);
}

struct domain *get_domain_by_id(domid_t id)
{
	struct domain *d;

	spin_lock(&domlist_lock);
	for (d = domain_list; d; d = d->next_in_list)
		if (d->domain_id == id && d->state != DOMSTATE_dying) {
			get_domain(d);
			break;
		}
	spin_unlock(&domlist_lock);
	return d;
}

struct domain *domain_next(domid_t after)
{
	struct domain *d, *best = NULL;

	spin_lock(&domlist_lock);
	for (d = domain_list; d; d = d->next_in_list)
		if (d->domain_id > after && d->state != DOMSTATE_dying && (!best || d->domain_id < best->domain_id))
			best = d;
	if (best)
		get_domain(best);
	spin_unlock(&domlist_lock);
	return best;
}

unsigned int nr_domains(void)
{
	unsigned int n = 0;

	spin_lock(&domlist_lock);
	for (struct domain *d = domain_list; d; d = d->next_in_list)
		n++;
	spin_unlock(&domlist_lock);
	return n;
}

static domid_t alloc_domid_locked(void)
{
	static domid_t next = 1;

	for (unsigned int tries = 0; tries < DOMID_MAX; tries++) {
		domid_t id = next;
		bool used = false;

		next = next >= DOMID_MAX ? 1 : next + 1;
		for (struct domain *d = domain_list; d; d = d->next_in_list)
			used |= d->domain_id == id;
		if (!used)
			return id;
	}
	return 0;
}

static int vcpu_create(struct domain *d, unsigned int id)
{
	struct vcpu *v = xzalloc(struct vcpu);
	int rc;

	if (!v)
		return -XEN_ENOMEM;
	v->vcpu_id = id;
	v->domain = d;
	v->pause_flags = 1UL << VPF_down;
	v->runstate = RUNSTATE_offline;
	v->runstate_entry = NOW();
	sched_vcpu_init(v);
	d->vcpu[id] = v;
	rc = hvm_vcpu_create(v);
	if (rc)
		return rc;
	vlapic_init(&v->arch.vlapic, v, id, &hvm_vlapic_env);
	vtime_vcpu_init(v);
	sched_op_vcpu_init(v);
	return 0;
}

static void destroy(struct domain *d, bool notify_if_last);

int domain_create(const char *name, unsigned int max_vcpus, const cpumask_t *affinity, struct domain **out)
{
	struct domain *d = xzalloc(struct domain);
	int rc = -XEN_ENOMEM;

	if (!d)
		return -XEN_ENOMEM;
	spin_lock_init(&d->lock);
	spin_lock_init(&d->con_lock);
	d->refcnt = 1;
	d->state = DOMSTATE_building;
	strlcpy(d->name, name, sizeof(d->name));
	d->max_vcpus = max_vcpus;
	sched_op_domain_init(d);
	hvm_params_init(d);
	if (affinity && !cpumask_empty(affinity))
		cpumask_copy(&d->hard_affinity, affinity);
	else
		cpumask_copy(&d->hard_affinity, &cpu_online_map);
	bitmap_and(d->hard_affinity.bits, d->hard_affinity.bits, cpu_online_map.bits, NR_CPUS);
	sched_dom_init(d);
	if (cpumask_empty(&d->hard_affinity)) {
		rc = -XEN_EINVAL;
		goto fail;
	}
	/* guest TSC starts near 0 */
	d->arch.tsc_offset = -rdtsc();
	d->shared_info = alloc_xenheap_pages(0, MEMF_zero);
	if (!d->shared_info)
		goto fail;
	vtime_update_wallclock(d);
	rc = p2m_init(d);
	if (rc)
		goto fail;
	d->vcpu = xzalloc_array(struct vcpu *, max_vcpus);
	if (!d->vcpu) {
		rc = -XEN_ENOMEM;
		goto fail;
	}
	for (unsigned int i = 0; i < max_vcpus; i++) {
		rc = vcpu_create(d, i);
		if (rc)
			goto fail;
	}
	spin_lock(&domlist_lock);
	d->domain_id = alloc_domid_locked();
	if (!d->domain_id) {
		spin_unlock(&domlist_lock);
		rc = -XEN_ENOSPC;
		goto fail;
	}
	d->sched.id = d->domain_id; /* the scheduler's dumps name it */
	d->next_in_list = domain_list;
	domain_list = d;
	domains_created++;
	spin_unlock(&domlist_lock);
	rc = domain_evtchn_init(d);
	if (rc) {
		destroy(d, false);
		return rc;
	}
	*out = d;
	return 0;
fail:
	domain_free(d);
	return rc;
}

/*
 * A vCPU halted with interrupts disabled will never run again (Xen's
 * hvm_vcpu_down): it goes down, as if it had never been started; INIT-SIPI
 * or VCPUOP_up can bring it back. When it was the last vCPU up, the domain
 * powers off: that is how a PVH Linux, which has no hypervisor power-off
 * hook and halts after "poweroff", ends on Xen.
 */
void vcpu_down_halted(struct vcpu *v)
{
	struct domain *d = v->domain;
	unsigned int up = 0;

	set_bit(VPF_down, &v->pause_flags);
	vcpu_sleep(v);
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		up += !test_bit(VPF_down, &d->vcpu[i]->pause_flags);
	if (up)
		return;
	printk("d%u \"%s\": every vCPU halted with interrupts disabled: powering off\n", d->domain_id, d->name);
	domain_shutdown(d, SHUTDOWN_poweroff);
}

void domain_start(struct domain *d)
{
	d->state = DOMSTATE_running;
	d->vcpu[0]->initialised = true;
	clear_bit(VPF_down, &d->vcpu[0]->pause_flags);
	vcpu_wake(d->vcpu[0]);
}

/* ------------------------------------------------------------ ending */

static struct timer reaper_timer;
static bool reaper_ready;

static void stop_vcpus(struct domain *d)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		set_bit(VPF_dead, &d->vcpu[i]->pause_flags);
		vcpu_sleep(d->vcpu[i]);
	}
	console_guest_flush(d);
}

static enum domain_action action_for(const struct domain *d)
{
	unsigned int reason = d->state == DOMSTATE_crashed ? SHUTDOWN_crash : d->shutdown_code;

	return domain_cfg_action(d, reason);
}

/* Ended and off every pCPU? */
static bool quiesced(const struct domain *d)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (!sched_vcpu_quiesced(d->vcpu[i]))
			return false;
	return true;
}

static void reap(void *unused)
{
	bool again = false;
	struct domain *d, *next;

	spin_lock(&domlist_lock);
	for (d = domain_list; d; d = next) {
		next = d->next_in_list;
		if ((d->state == DOMSTATE_shutdown || d->state == DOMSTATE_crashed) && !d->reaped) {
			if (!quiesced(d)) {
				again = true;
				continue;
			}
			d->reaped = true;
			get_domain(d);
			spin_unlock(&domlist_lock);
			switch (action_for(d)) {
			case ACTION_preserve:
				printk("d%u \"%s\": preserved (on_* = preserve)\n", d->domain_id, d->name);
				put_domain(d);
				break;
			case ACTION_restart: {
				/* the old one's memory goes back before the new one takes any */
				const struct domcfg *cfg = d->cfg;
				unsigned int restarts = d->restarts + 1;

				destroy(d, false);
				put_domain(d);
				domain_rebuild(cfg, restarts);
				break;
			}
			default:
				/* report "all gone" only once the memory is back */
				destroy(d, false);
				put_domain(d);
				if (!nr_domains())
					domains_all_gone();
			}
			spin_lock(&domlist_lock);
			next = domain_list; /* the list may have changed */
		}
	}
	spin_unlock(&domlist_lock);
	if (again)
		set_timer(&reaper_timer, NOW() + MILLISECS(1));
}

static void kick_reaper(void)
{
	if (!reaper_ready) {
		init_timer(&reaper_timer, reap, NULL, 0);
		reaper_ready = true;
	}
	set_timer(&reaper_timer, NOW());
}

static void note_ending(struct domain *d, bool ok)
{
	if (ok)
		__atomic_fetch_add(&domains_ended_ok, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&domains_ended_bad, 1, __ATOMIC_RELAXED);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
	spin_lock(&d->lock);
	if (d->state != DOMSTATE_running && d->state != DOMSTATE_paused) {
		spin_unlock(&d->lock);
		return;
	}
	d->state = DOMSTATE_shutdown;
	if (d->pending_shutdown_code != SHUTDOWN_CODE_NONE)
		reason = d->pending_shutdown_code; /* SCHEDOP_shutdown_code said so earlier */
	d->shutdown_code = reason;
	spin_unlock(&d->lock);
	stop_vcpus(d);
	printk("d%u \"%s\": shut down, reason %s\n", d->domain_id, d->name,
	       reason < ARRAY_SIZE(reason_names) ? reason_names[reason] : "?");
	note_ending(d, reason == SHUTDOWN_poweroff);
	kick_reaper();
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	spin_lock(&d->lock);
	if (d->state != DOMSTATE_running && d->state != DOMSTATE_paused && d->state != DOMSTATE_building) {
		spin_unlock(&d->lock);
		return;
	}
	d->state = DOMSTATE_crashed;
	spin_unlock(&d->lock);
	stop_vcpus(d);
	printk(LOG_ERR "d%u \"%s\": crashed: %s\n", d->domain_id, d->name, msg);
	note_ending(d, false);
	kick_reaper();
}

static void destroy(struct domain *d, bool notify_if_last)
{
	struct domain **pp;
	bool last;

	spin_lock(&domlist_lock);
	for (pp = &domain_list; *pp && *pp != d; pp = &(*pp)->next_in_list)
		;
	if (!*pp) {
		spin_unlock(&domlist_lock);
		return;
	}
	*pp = d->next_in_list;
	d->state = DOMSTATE_dying;
	last = domain_list == NULL;
	spin_unlock(&domlist_lock);
	/* its mappings of other domains' grants go now (they hold references on
	 * the granters, which may hold references on it) */
	domain_gnttab_release(d);
	printk("d%u \"%s\": destroyed; %lu pages returned\n", d->domain_id, d->name, d->tot_pages);
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		const struct vcpu *v = d->vcpu[i];

		printk(LOG_INFO
		       "d%uv%u: ran %lld ms, waited %lld ms for a pCPU (at most %lld ms at once), blocked %lld ms\n",
		       d->domain_id, i, (long long)(v->runstate_time[RUNSTATE_running] / 1000000),
		       (long long)(v->runstate_time[RUNSTATE_runnable] / 1000000),
		       (long long)(v->longest_wait / 1000000),
		       (long long)(v->runstate_time[RUNSTATE_blocked] / 1000000));
	}
	put_domain(d); /* the list's reference */
	if (last && notify_if_last)
		domains_all_gone();
}

void domain_destroy(struct domain *d)
{
	destroy(d, true);
}

void domains_all_gone(void)
{
	printk("All domains have ended: %u powered off, %u crashed or ended otherwise; %lu pages free\n",
	       domains_ended_ok, domains_ended_bad, total_free_pages());
	if (test_exit_enabled())
		machine_power_off(domains_ended_bad ? TEST_EXIT_FAIL : TEST_EXIT_PASS);
}

void domain_console_input(struct domain *d, char c)
{
	if (console_ring_input(d, c)) {
		evtchn_notify_xen_port(&d->evtchn, d->con_port);
		return;
	}
	if (d->con_in_warned)
		return;
	d->con_in_warned = true;
	printk("d%u has no PV console input ring set up (or it is full); typed input is dropped\n", d->domain_id);
}

/* Debug key 'v': every domain's vCPUs (state, where they run, registers). */
static void dump_vcpus(unsigned char key)
{
	for (struct domain *d = domain_next(0), *n; d; d = n) {
		printk("d%u \"%s\": %s, %lu pages, vm_assist %#x\n", d->domain_id, d->name, domain_state_name(d),
		       d->tot_pages, d->vm_assist);
		for (unsigned int i = 0; i < d->max_vcpus; i++) {
			struct vcpu *v = d->vcpu[i];

			printk("d%uv%u: pCPU %u, runstate %d, pause flags %#lx%s%s, upcall vector %#x, pending %u\n",
			       d->domain_id, i, v->processor, v->runstate, v->pause_flags,
			       v->is_running ? ", running" : "", v->polling ? ", polling" : "", v->arch.upcall_vector,
			       hvm_vcpu_info(v)->evtchn_upcall_pending);
			hvm_dump_vcpu(v);
			vlapic_dump(&v->arch.vlapic);
			printk("  vCPU timer %s, deadline in %lld ns, period %lld ns\n",
			       timer_is_active(&v->arch.vtimer) ? "armed" : "off",
			       (long long)(v->arch.timer_deadline - NOW()), (long long)v->arch.periodic_ns);
		}
		n = domain_next(d->domain_id);
		put_domain(d);
	}
}
keyhandler('v', dump_vcpus, "dump every domain's vCPUs");
