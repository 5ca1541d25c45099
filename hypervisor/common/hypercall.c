/*
 * Hypercall dispatch, and the small hypercalls: console_io, xen_version,
 * vm_assist, multicall, event_channel_op's copy in and out. The others have
 * their own files (sched_op.c, vcpu_op.c, memory.c, arch hvm_op.c). A
 * hypercall Basalt does not have is -ENOSYS, logged once per domain and
 * hypercall number.
 *
 * Continuations: a long hypercall checks hypercall_preempt_check() between
 * units of work and, when it says so, records its progress in its
 * arguments with hypercall_create_continuation(); the guest then executes
 * the same call again (arch code rewinds RIP), so softirqs and other vCPUs
 * get the CPU in between.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include <hv/softirq.h>
#include <hv/smp.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/page.h>

static long do_console_io(struct vcpu *v, uint64_t cmd, uint64_t count, uint64_t buf)
{
	char chunk[128];

	switch (cmd) {
	case CONSOLEIO_write:
		if (count > (1u << 20))
			return -XEN_EINVAL;
		for (uint64_t done = 0; done < count;) {
			size_t n = MIN(sizeof(chunk), count - done);

			if (hvm_copy_from_guest(v, chunk, buf + done, n))
				return -XEN_EFAULT;
			console_guest_write(v->domain, chunk, n);
			done += n;
		}
		return 0;
	case CONSOLEIO_read:
		return -XEN_EPERM; /* for the control domain, which does not exist yet */
	default:
		return -XEN_ENOSYS;
	}
}

/* xen_version (public/version.h). Strings are fixed-size arrays copied out
 * whole, as Xen does. Features: what Basalt offers a PVH guest today (the
 * callback vector and pvclock ones come with event channels and time). */
static long copy_string_out(struct vcpu *v, uint64_t arg, const char *s, size_t size)
{
	char buf[1024];

	memset(buf, 0, size);
	strlcpy(buf, s, size);
	return hvm_copy_to_guest(v, arg, buf, size) ? -XEN_EFAULT : 0;
}

static long do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case XENVER_version:
		return (4 << 16) | 17; /* the Xen ABI version Basalt follows */
	case XENVER_extraversion:
		return copy_string_out(v, arg, ".0-basalt", 16);
	case XENVER_compile_info: {
		struct {
			char compiler[64], compile_by[16], compile_domain[32], compile_date[32];
		} ci;

		memset(&ci, 0, sizeof(ci));
		strlcpy(ci.compiler, "gcc/clang", sizeof(ci.compiler));
		strlcpy(ci.compile_by, "basalt", sizeof(ci.compile_by));
		return hvm_copy_to_guest(v, arg, &ci, sizeof(ci)) ? -XEN_EFAULT : 0;
	}
	case XENVER_capabilities:
		return copy_string_out(v, arg, "hvm-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p", 1024);
	case XENVER_changeset:
		return copy_string_out(v, arg, "basalt", 64);
	case XENVER_platform_parameters: {
		/* no hypervisor hole in an HVM address space; virt_start is a
		 * xen_ulong_t: 4 bytes for a 32-bit caller (compat), as Xen */
		uint64_t virt_start = 0;

		return hvm_copy_to_guest(v, arg, &virt_start, hvm_long_mode_64bit(v) ? 8 : 4) ? -XEN_EFAULT : 0;
	}
	case XENVER_get_features: {
		struct {
			uint32_t submap_idx, submap;
		} fi;

		if (hvm_copy_from_guest(v, &fi, arg, sizeof(fi)))
			return -XEN_EFAULT;
		fi.submap = fi.submap_idx == 0
				    ? (1u << XENFEAT_auto_translated_physmap) | (1u << XENFEAT_hvm_callback_vector) |
					      (1u << XENFEAT_hvm_safe_pvclock)
				    : 0;
		return hvm_copy_to_guest(v, arg, &fi, sizeof(fi)) ? -XEN_EFAULT : 0;
	}
	case XENVER_pagesize:
		return 4096;
	case XENVER_guest_handle: {
		uint8_t handle[16] = { 0 };

		return hvm_copy_to_guest(v, arg, handle, sizeof(handle)) ? -XEN_EFAULT : 0;
	}
	case XENVER_commandline:
	case XENVER_build_id:
		return -XEN_EPERM; /* the control domain's to read */
	default:
		return -XEN_ENOSYS;
	}
}

/* event_channel_op: the argument struct is copied in, handed to the event
 * channel core (common/event_channel.c) and copied back out. */
static long do_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	uint8_t buf[64];
	size_t size = evtchn_op_arg_size((unsigned int)cmd);
	long rc;

	if (!size || size > sizeof(buf) || cmd > 0xffff)
		return -XEN_ENOSYS;
	if (hvm_copy_from_guest(v, buf, arg, size))
		return -XEN_EFAULT;
	rc = evtchn_op(&v->domain->evtchn, &v->evtchn, (unsigned int)cmd, buf);
	if (hvm_copy_to_guest(v, arg, buf, size))
		return -XEN_EFAULT;
	return rc;
}

/* vm_assist: for an HVM guest only the runstate update flag exists (Xen's
 * HVM_VM_ASSIST_MASK); any other type is -EINVAL. */
static long do_vm_assist(struct vcpu *v, uint64_t cmd, uint64_t type)
{
	const unsigned int allowed = 1u << VMASST_TYPE_runstate_update_flag;

	if (type >= 32 || !(allowed & (1u << type)))
		return -XEN_EINVAL;
	switch (cmd) {
	case VMASST_CMD_enable:
		__atomic_fetch_or(&v->domain->vm_assist, 1u << type, __ATOMIC_SEQ_CST);
		return 0;
	case VMASST_CMD_disable:
		__atomic_fetch_and(&v->domain->vm_assist, ~(1u << type), __ATOMIC_SEQ_CST);
		return 0;
	default:
		return -XEN_ENOSYS;
	}
}

bool hypercall_preempt_check(struct vcpu *v)
{
	return !v->in_multicall && softirq_pending(smp_processor_id());
}

/*
 * multicall: an array of struct multicall_entry { op, result, args[6] },
 * each field a xen_ulong_t (8 bytes from 64-bit code, 4 from 32-bit). Each
 * entry runs as its own hypercall and its result is written back; a
 * multicall inside a multicall is -EINVAL in its result, as on Xen.
 * Preemption between entries continues with the rest of the array. An entry
 * that itself continues (a long memory_op) gets its new arguments written
 * back into its place in the list, and the multicall continues from that
 * entry, as Xen does.
 */
static int copy_args32(struct vcpu *v, uint64_t gva, const uint64_t args[5])
{
	uint32_t a[5];

	for (int j = 0; j < 5; j++)
		a[j] = (uint32_t)args[j];
	return hvm_copy_to_guest(v, gva, a, sizeof(a));
}

static long do_multicall(struct vcpu *v, uint64_t list, uint64_t nr)
{
	bool is64 = hvm_long_mode_64bit(v);
	size_t field = is64 ? 8 : 4, size = 8 * field;

	if (v->in_multicall)
		return -XEN_EINVAL;
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t e[8] = { 0 }, args[5];
		uint32_t e32[8];
		long rc;

		if (i && (i % MULTICALL_MAX_ENTRIES == 0 || hypercall_preempt_check(v))) {
			const uint64_t cont[5] = { list + i * size, nr - i, 0, 0, 0 };

			return hypercall_create_continuation(v, cont);
		}
		if (is64 ? hvm_copy_from_guest(v, e, list + i * size, size)
			 : hvm_copy_from_guest(v, e32, list + i * size, size))
			return -XEN_EFAULT;
		if (!is64)
			for (int j = 0; j < 8; j++)
				e[j] = e32[j];
		memcpy(args, &e[2], sizeof(args)); /* args[5] (the sixth) is unused by every op */
		v->in_multicall = true;
		rc = do_hypercall(v, e[0], args);
		v->in_multicall = false;
		if (hypercall_take_continuation(v, args)) {
			const uint64_t cont[5] = { list + i * size, nr - i, 0, 0, 0 };

			for (int j = 0; j < 5; j++)
				e[2 + j] = is64 ? args[j] : (uint32_t)args[j];
			if (is64 ? hvm_copy_to_guest(v, list + i * size + 2 * field, &e[2], 5 * field)
				 : copy_args32(v, list + i * size + 2 * field, &e[2]))
				return -XEN_EFAULT;
			return hypercall_create_continuation(v, cont);
		}
		e[1] = is64 ? (uint64_t)rc : (uint32_t)rc;
		if (hvm_copy_to_guest(v, list + i * size + field, &e[1], field))
			return -XEN_EFAULT;
	}
	return 0;
}

long do_hypercall(struct vcpu *v, uint64_t nr, const uint64_t args[5])
{
	switch (nr) {
	case __HYPERVISOR_vcpu_op:
		return do_vcpu_op(v, args[0], args[1], args[2]);
	case __HYPERVISOR_memory_op:
		return do_memory_op(v, args[0], args[1]);
	case __HYPERVISOR_xen_version:
		return do_xen_version(v, args[0], args[1]);
	case __HYPERVISOR_console_io:
		return do_console_io(v, args[0], args[1], args[2]);
	case __HYPERVISOR_sched_op:
		return do_sched_op(v, args[0], args[1]);
	case __HYPERVISOR_hvm_op:
		return do_hvm_op(v, args[0], args[1]);
	case __HYPERVISOR_event_channel_op:
		return do_event_channel_op(v, args[0], args[1]);
	case __HYPERVISOR_vm_assist:
		return do_vm_assist(v, args[0], args[1]);
	case __HYPERVISOR_multicall:
		return do_multicall(v, args[0], args[1]);
	case __HYPERVISOR_grant_table_op:
		return do_grant_table_op(v, args[0], args[1], args[2]); /* common/gnttab_glue.c */
	default:
		if (nr < 64 && !test_and_set_bit((unsigned int)nr, v->domain->enosys_logged))
			printk(LOG_WARN "d%u: hypercall %llu is not implemented (-ENOSYS)\n", v->domain->domain_id,
			       (unsigned long long)nr);
		return -XEN_ENOSYS;
	}
}
