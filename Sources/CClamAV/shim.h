#ifndef MOAT_CCLAMAV_SHIM_H
#define MOAT_CCLAMAV_SHIM_H
#include <clamav.h>

/* CL_DB_STDOPT is a macro built from other macros, which Swift does not import. */
static const unsigned int moat_cl_db_stdopt = CL_DB_STDOPT;

#endif
