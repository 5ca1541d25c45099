/*
 * Nested page tables (AMD NPT) for a domain's guest-physical address space.
 *
 * NPT entries have the long-mode page-table format; the hardware treats
 * every guest access as a user access, so the U bit is set at every level.
 * Table pages come from the hypervisor heap and are freed at teardown; the
 * RAM frames mapped here belong to the domain (common/domain_mem.c), not to
 * the p2m. RAM is mapped executable (P2M_RWX); grant mappings, shared_info
 * and grant-table frames never are, which is how a RAM entry is told apart.
 *
 * Changes that remove or weaken a mapping must be followed by a guest TLB
 * flush of every vCPU of the domain (p2m_unmap does it through
 * hvm_flush_guest_tlbs()). Adding mappings needs no flush: the TLB does not
 * cache non-present entries.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <asm/hvm.h>
#include <asm/mm.h>
#include <asm/p2m.h>

#define NPT_P 0x001ULL
#define NPT_RW 0x002ULL
#define NPT_US 0x004ULL
#define NPT_PS 0x080ULL
#define NPT_NX (1ULL << 63)
#define NPT_ADDR 0x000ffffffffff000ULL
#define NPT_TABLE (NPT_P | NPT_RW | NPT_US)

static uint64_t *new_table(struct domain *d)
{
	return alloc_xenheap_pages(0, MEMF_zero);
}

int p2m_init(struct domain *d)
{
	uint64_t *root;

	spin_lock_init(&d->arch.p2m_lock);
	root = new_table(d);
	if (!root)
		return -XEN_ENOMEM;
	d->arch.p2m_root = virt_to_maddr(root);
	return 0;
}

static void free_level(struct domain *d, uint64_t *t, int level)
{
	for (unsigned int i = 0; level > 1 && i < 512; i++)
		if ((t[i] & NPT_P) && !(t[i] & NPT_PS))
			free_level(d, maddr_to_virt(t[i] & NPT_ADDR), level - 1);
	free_xenheap_pages(t, 0);
}

void p2m_teardown(struct domain *d)
{
	if (!d->arch.p2m_root)
		return;
	free_level(d, maddr_to_virt(d->arch.p2m_root), 4);
	d->arch.p2m_root = 0;
}

static uint64_t leaf_flags(unsigned int access)
{
	uint64_t f = NPT_P | NPT_US;

	if (access & P2M_W)
		f |= NPT_RW;
	if (!(access & P2M_X))
		f |= NPT_NX;
	return f;
}

/* The entry for gfn at 'level' (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB), creating
 * tables on the way; splits a larger mapping in the way into smaller ones. */
static uint64_t *entry_at(struct domain *d, uint64_t gfn, int level)
{
	uint64_t *t = maddr_to_virt(d->arch.p2m_root);

	for (int l = 4; l > level; l--) {
		uint64_t *e = &t[(gfn >> (9 * (l - 1))) & 511];

		if (!(*e & NPT_P)) {
			uint64_t *n = new_table(d);

			if (!n)
				return NULL;
			*e = virt_to_maddr(n) | NPT_TABLE;
		} else if (*e & NPT_PS) {
			/* split: the new table repeats the big mapping in pieces */
			uint64_t *n = new_table(d);
			uint64_t base = *e & NPT_ADDR & ~NPT_PS, flags = *e & ~NPT_ADDR;
			uint64_t step = 1ULL << (12 + 9 * (l - 2));

			if (!n)
				return NULL;
			if (l - 1 == 1)
				flags &= ~NPT_PS;
			for (unsigned int i = 0; i < 512; i++)
				n[i] = (base + i * step) | flags;
			*e = virt_to_maddr(n) | NPT_TABLE;
		}
		t = maddr_to_virt(*e & NPT_ADDR);
	}
	return &t[(gfn >> (9 * (level - 1))) & 511];
}

int p2m_map(struct domain *d, gfn_t gfn, mfn_t mfn, unsigned int order, unsigned int access)
{
	uint64_t g = gfn_x(gfn), m = mfn_x(mfn), n = 1ULL << order;
	int rc = 0;

	if ((g | m) & (n - 1))
		return -XEN_EINVAL;
	spin_lock(&d->arch.p2m_lock);
	while (n) {
		int level = 1;
		uint64_t *e;

		if (!((g | m) & 0x3ffff) && n >= 0x40000)
			level = 3;
		else if (!((g | m) & 0x1ff) && n >= 0x200)
			level = 2;
		e = entry_at(d, g, level);
		if (!e) {
			rc = -XEN_ENOMEM;
			break;
		}
		if (level > 1 && (*e & NPT_P) && !(*e & NPT_PS))
			free_level(d, maddr_to_virt(*e & NPT_ADDR), level);
		*e = (m << 12) | leaf_flags(access) | (level > 1 ? NPT_PS : 0);
		g += 1ULL << (9 * (level - 1));
		m += 1ULL << (9 * (level - 1));
		n -= 1ULL << (9 * (level - 1));
	}
	spin_unlock(&d->arch.p2m_lock);
	return rc;
}

int p2m_unmap(struct domain *d, gfn_t gfn, unsigned int order)
{
	uint64_t g = gfn_x(gfn), n = 1ULL << order;
	int rc = 0;

	spin_lock(&d->arch.p2m_lock);
	for (; n; g++, n--) {
		uint64_t *e = entry_at(d, g, 1);

		if (!e) {
			rc = -XEN_ENOMEM;
			break;
		}
		*e = 0;
	}
	spin_unlock(&d->arch.p2m_lock);
	hvm_flush_guest_tlbs(d);
	return rc;
}

mfn_t p2m_lookup(struct domain *d, gfn_t gfn, unsigned int *access)
{
	uint64_t g = gfn_x(gfn), e = 0, span = 1; /* pages the entry found maps */
	const uint64_t *t;

	if (!d->arch.p2m_root || g >> 40)
		return INVALID_MFN;
	t = maddr_to_virt(d->arch.p2m_root);
	for (int l = 4; l >= 1; l--) {
		e = READ_ONCE(t[(g >> (9 * (l - 1))) & 511]);
		if (!(e & NPT_P))
			return INVALID_MFN;
		if (l == 1 || (e & NPT_PS)) {
			span = 1ULL << (9 * (l - 1));
			break;
		}
		t = maddr_to_virt(e & NPT_ADDR);
	}
	if (access)
		*access = P2M_R | ((e & NPT_RW) ? P2M_W : 0) | ((e & NPT_NX) ? 0 : P2M_X);
	/* inside a large page: add the offset of gfn within it */
	return _mfn(((e & NPT_ADDR) >> 12) + (g & (span - 1)));
}
