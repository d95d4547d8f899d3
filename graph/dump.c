/* dump.c - human-readable plan listing, memory report and Graphviz export. */
#include "tg_plan_internal.h"

static const char *role_name(tg_role r)
{
    static const char *names[] = {"input", "param", "const", "inter"};
    return names[r];
}

void tg_plan_dump(const tg_plan *p, FILE *out)
{
    const tg_graph *g = p->g;
    char sb[64];
    fprintf(out, "%4s  %-28s %-16s %-6s %-20s %-9s %s\n", "pos", "node", "op", "role",
            "shape", "lifetime", "offset");
    for (int pos = 0; pos < p->n_slots; pos++) {
        const tg_slot *s = &p->slots[pos];
        const tg_node *n = &g->nodes[s->node];
        char life[32], off[32];
        snprintf(life, sizeof life, "%d-%d", s->first, s->last);
        if (s->offset != TG_NOT_IN_ARENA)
            snprintf(off, sizeof off, "%zu", s->offset);
        else
            snprintf(off, sizeof off, "%s", n->storage == TG_STORE_GRAD ? "grad block"
                                          : n->storage == TG_STORE_PARAM ? "param block" : "bound");
        fprintf(out, "%4d  %-28s %-16s %-6s %-20s %-9s %s\n", pos, n->name,
                n->op == TG_OP_LEAF ? "-" : tg_registry[n->op].name, role_name(n->role),
                tg_shape_str(&n->shape, sb, sizeof sb), life, off);
    }
    tg_mem_report_print(&p->mem, out);
}

void tg_mem_report_print(const tg_mem_report *m, FILE *out)
{
    double mib = 1024.0 * 1024.0;
    fprintf(out, "memory plan: %d nodes, naive %.2f MiB (%zu B), planned %.2f MiB (%zu B), "
            "lower bound %.2f MiB (%zu B)", m->n_nodes, m->naive_bytes / mib, m->naive_bytes,
            m->planned_bytes / mib, m->planned_bytes, m->lower_bound_bytes / mib, m->lower_bound_bytes);
    if (m->lower_bound_bytes)
        fprintf(out, " (planned/bound %.3f)", (double)m->planned_bytes / (double)m->lower_bound_bytes);
    fprintf(out, "\n");
}

void tg_graph_dot(const tg_graph *g, const tg_plan *p, FILE *out)
{
    static const char *fill[] = {"lightblue", "gold", "lightgrey", "white"};
    char sb[64];
    fprintf(out, "digraph tg {\n  rankdir=TB;\n  node [shape=box, style=filled, fontname=\"monospace\"];\n");
    for (int i = 0; i < g->n_nodes; i++) {
        const tg_node *n = &g->nodes[i];
        int pos = p ? tg_plan_position(p, i) : 0;
        fprintf(out, "  n%d [label=\"%s\\n%s %s", i, n->name,
                n->op == TG_OP_LEAF ? role_name(n->role) : tg_registry[n->op].name,
                tg_shape_str(&n->shape, sb, sizeof sb));
        if (p && pos >= 0 && p->slots[pos].offset != TG_NOT_IN_ARENA)
            fprintf(out, "\\n@%zu", p->slots[pos].offset);
        fprintf(out, "\", fillcolor=%s%s];\n", fill[n->role], pos < 0 ? ", fontcolor=grey" : "");
        for (int k = 0; k < n->n_in; k++)
            fprintf(out, "  n%d -> n%d;\n", n->in[k], i);
    }
    fprintf(out, "}\n");
}
