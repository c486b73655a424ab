#ifndef MOAT_CPCRE2_SHIM_H
#define MOAT_CPCRE2_SHIM_H

/* pcre2.h selects its code-unit width by macro; we only ever use the 8-bit library. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/*
 * pcre2.h names its functions and types through token-pasting macros
 * (pcre2_compile -> pcre2_compile_8), which Swift does not import. These thin
 * inline wrappers give Swift stable, importable names. Nothing else belongs here.
 * (PCRE2_UNSET is ~(size_t)0; size_t imports as Int, so Swift sees it as -1.)
 */
typedef pcre2_code_8 moat_pcre2_code;
typedef pcre2_match_data_8 moat_pcre2_match_data;

static inline moat_pcre2_code *moat_pcre2_compile(const unsigned char *pattern, size_t length,
                                                  uint32_t options, int *errorcode,
                                                  size_t *erroroffset) {
    return pcre2_compile_8(pattern, length, options, errorcode, erroroffset, NULL);
}

static inline int moat_pcre2_jit_compile(moat_pcre2_code *code) {
    return pcre2_jit_compile_8(code, PCRE2_JIT_COMPLETE);
}

static inline void moat_pcre2_code_free(moat_pcre2_code *code) { pcre2_code_free_8(code); }

static inline int moat_pcre2_capture_count(const moat_pcre2_code *code) {
    uint32_t count = 0;
    pcre2_pattern_info_8(code, PCRE2_INFO_CAPTURECOUNT, &count);
    return (int)count;
}

static inline moat_pcre2_match_data *moat_pcre2_match_data_create(uint32_t pairs) {
    return pcre2_match_data_create_8(pairs, NULL);
}

static inline void moat_pcre2_match_data_free(moat_pcre2_match_data *data) {
    pcre2_match_data_free_8(data);
}

static inline int moat_pcre2_match(const moat_pcre2_code *code, const unsigned char *subject,
                                   size_t length, size_t start, uint32_t options,
                                   moat_pcre2_match_data *data) {
    return pcre2_match_8(code, subject, length, start, options, data, NULL);
}

static inline const size_t *moat_pcre2_ovector(moat_pcre2_match_data *data) {
    return pcre2_get_ovector_pointer_8(data);
}

/* Writes the message for `code` into buffer; returns its length or a negative error. */
static inline int moat_pcre2_error_message(int code, unsigned char *buffer, size_t size) {
    return pcre2_get_error_message_8(code, buffer, size);
}

#endif
