import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createFilesConnector } from '../../../../../engine/connectors/files/connector';
import { importFiles } from '../../../../../engine/connectors/files/import';
import type { FileImportResult, ImportReport } from '../../../../../engine/connectors/files/provenance';
import type { ConnectionSpec } from '../../../../../engine/connectors/types';
import type { ErrorCode } from '../../../../../engine/contract/index';
import { ConnectorError, TimeoutError } from '../../../../../engine/errors';
import { tempDir, testdataDir } from '../../../../support/tmp';
import { SourceSettings } from '../../../../../engine/contract/index';

/**
 * Every file under shared/testdata/files is a test case: imported all together
 * into one source, each must give the table below (name, detected format and
 * encoding, row and column counts, the first columns with DuckDB's types) or
 * fail with the message below. A regression names the file that changed.
 */
const ROOT = path.join(testdataDir, 'files');

type Expected =
  | { ok: true; table: string; format: string; encoding: string | null; rows: number; columns: number; first: string[] }
  | { ok: false; code: ErrorCode; message: string };

const ok = (table: string, format: string, encoding: string | null, rows: number, columns: number, first: string[]): Expected => ({
  ok: true,
  table,
  format,
  encoding,
  rows,
  columns,
  first,
});
const fails = (code: ErrorCode, message: string): Expected => ({ ok: false, code, message });

const EXPECTED: Array<[string, Expected]> = [
  // Files that are not data still read as delimited text, as they do in DuckDB.
  ['DUCKDB_PROBE_RESULTS.tsv', ok('duckdb_probe_results', 'tsv', 'utf-8', 138, 4, ["OK:VARCHAR", "duckdb-csv/auto/backslash_escape.csv:VARCHAR", "rows=3:VARCHAR"])],
  ['duckdb-LICENSE', ok('duckdb_license', 'csv', 'utf-8', 6, 1, ["Copyright 2018-2026 Stichting DuckDB Foundation:VARCHAR"])],
  ['duckdb-csv/auto/backslash_escape.csv', ok('backslash_escape', 'csv', 'utf-8', 3, 3, ["column0:BIGINT", "column1:VARCHAR", "column2:VARCHAR"])],
  ['duckdb-csv/auto/duplicate_header_columns.csv', ok('duplicate_header_columns', 'csv', 'utf-8', 2, 13, ["a:BIGINT", "a_1:VARCHAR", "a_2:VARCHAR"])],
  ['duckdb-csv/auto/empty_header.csv', ok('empty_header', 'csv', 'utf-8', 2, 3, ["column0:BIGINT", "column1:VARCHAR", "column2:VARCHAR"])],
  ['duckdb-csv/auto/multi_column_string_r.csv', ok('multi_column_string_r', 'csv', 'utf-8', 9, 4, ["column0:BIGINT", "column1:BIGINT", "column2:BIGINT"])],
  ['duckdb-csv/auto/multi_column_string_r_n.csv', ok('multi_column_string_r_n', 'csv', 'utf-8', 9, 4, ["column0:BIGINT", "column1:BIGINT", "column2:BIGINT"])],
  ['duckdb-csv/auto/no_header.csv', ok('no_header', 'csv', 'utf-8', 2, 3, ["column0:DOUBLE", "column1:VARCHAR", "column2:DATE"])],
  ['duckdb-csv/auto/pipe_delim_quote.csv', ok('pipe_delim_quote', 'csv', 'utf-8', 3, 3, ["column0:BIGINT", "column1:VARCHAR", "column2:VARCHAR"])],
  ['duckdb-csv/auto/quote_escape.csv', ok('quote_escape', 'csv', 'utf-8', 3, 3, ["column0:BIGINT", "column1:VARCHAR", "column2:VARCHAR"])],
  ['duckdb-csv/auto/semicolon_delim.csv', ok('semicolon_delim', 'csv', 'utf-8', 3, 3, ["column0:BIGINT", "column1:VARCHAR", "column2:VARCHAR"])],
  ['duckdb-csv/auto/tab.csv', ok('tab', 'tsv', 'utf-8', 3, 3, ["column0:BIGINT", "column1:VARCHAR", "column2:VARCHAR"])],
  ['duckdb-csv/auto/time_date_timestamp_dd-mm-yyyy.csv', ok('time_date_timestamp_dd_mm_yyyy', 'csv', 'utf-8', 3, 5, ["a:BIGINT", "b:VARCHAR", "t:TIME"])],
  ['duckdb-csv/auto/time_date_timestamp_mm-dd-yy.csv', ok('time_date_timestamp_mm_dd_yy', 'csv', 'utf-8', 3, 5, ["a:BIGINT", "b:VARCHAR", "t:TIME"])],
  ['duckdb-csv/auto/utf8bom.csv', ok('utf8bom', 'csv', 'utf-8-bom', 2, 2, ["id:BIGINT", "name:VARCHAR"])],
  ['duckdb-csv/big_number.csv', ok('big_number', 'csv', 'utf-8', 1, 1, ["bignumber:DOUBLE"])],
  ['duckdb-csv/blank_line.csv', ok('blank_line', 'csv', 'utf-8', 11, 1, ["col:BIGINT"])],
  ['duckdb-csv/bool.csv', ok('bool', 'csv', 'utf-8', 2, 1, ["abs_file_name:BOOLEAN"])],
  ['duckdb-csv/comma_decimal_null.csv', ok('comma_decimal_null', 'csv', 'utf-8', 8, 28, ["COD_LOCALE_PROGETTO:VARCHAR", "CUP:VARCHAR", "COD_OB_TEMATICO:VARCHAR"])],
  ['duckdb-csv/comments/simple.csv', ok('simple', 'csv', 'utf-8', 2, 2, ["a:BIGINT", "b:BIGINT"])],
  ['duckdb-csv/decimal.csv', ok('decimal', 'csv', 'utf-8', 1, 1, ["col_a:DOUBLE"])],
  // Empty files: stock DuckDB makes a 0-row table with a made-up column; saying so is more use.
  ['duckdb-csv/empty.csv', fails('VALIDATION', "empty.csv is empty (0 bytes); there is nothing to import.")],
  // Stock DuckDB fails on the next four; they are transcoded to UTF-8 first.
  ['duckdb-csv/encodings/latin1.csv', ok('latin1', 'csv', 'windows-1252', 12, 2, ["name:VARCHAR", "age:BIGINT"])],
  ['duckdb-csv/encodings/shift_jis.csv', ok('shift_jis', 'csv', 'shift_jis', 20, 2, ["名前:VARCHAR", "年齢:BIGINT"])],
  ['duckdb-csv/encodings/utf16.csv', ok('utf16', 'csv', 'utf-16le', 20, 2, ["name:VARCHAR", "age:BIGINT"])],
  ['duckdb-csv/error/banklist.csv', ok('banklist', 'csv', 'windows-1252', 568, 7, ["Bank Name:VARCHAR", "City:VARCHAR", "State:VARCHAR"])],
  ['duckdb-csv/error/mixedtypes.csv', ok('mixedtypes', 'csv', 'utf-8', 13400, 2, ["i:VARCHAR", "world:VARCHAR"])],
  ['duckdb-csv/header_only.csv', ok('header_only', 'csv', 'utf-8', 0, 1, ["abs_file_name:VARCHAR"])],
  ['duckdb-csv/inconsistent_cells.csv', ok('inconsistent_cells', 'csv', 'utf-8', 2, 5, ["column0:BIGINT", "column1:BIGINT", "column2:BIGINT"])],
  ['duckdb-csv/invalid_utf8.csv', ok('invalid_utf8', 'csv', 'utf-16le', 2, 1, ["bla:VARCHAR"])],
  ['duckdb-csv/issue2628_中文.csv', ok('issue2628_中文', 'csv', 'utf-8', 3, 2, ["col1:BIGINT", "col2:BIGINT"])],
  ['duckdb-csv/leading_zeros.csv', ok('leading_zeros', 'csv', 'utf-8', 6, 8, ["CODGEO:VARCHAR", "NAISD14:BIGINT", "NAISD15:BIGINT"])],
  ['duckdb-csv/locations_row_trailing_comma.csv', ok('locations_row_trailing_comma', 'csv', 'utf-8', 1, 5, ["column0:BIGINT", "column1:VARCHAR", "column2:BIGINT"])],
  ['duckdb-csv/manycolumns.csv', ok('manycolumns', 'csv', 'utf-8', 1, 101, ["column000:BIGINT", "column001:BIGINT", "column002:BIGINT"])],
  ['duckdb-csv/mixed_dates.csv', ok('mixed_dates', 'csv', 'utf-8', 5, 2, ["A:BIGINT", "B:VARCHAR"])],
  ['duckdb-csv/multidelimiter/aa_delim.csv', ok('aa_delim', 'csv', 'utf-8', 18, 1, ["1aa2:VARCHAR"])],
  ['duckdb-csv/null/multiple_nulls.csv', ok('multiple_nulls', 'csv', 'utf-8', 3, 3, ["name:VARCHAR", "age:VARCHAR", "height:VARCHAR"])],
  ['duckdb-csv/nullbyte.csv', ok('nullbyte', 'csv', 'utf-8', 1, 3, ["col1:VARCHAR", "col2:VARCHAR", "col3:VARCHAR"])],
  ['duckdb-csv/people.csv', ok('people', 'csv', 'utf-8-bom', 4, 2, ["Person:VARCHAR", "Region:VARCHAR"])],
  ['duckdb-csv/quoted_newline.csv', ok('quoted_newline', 'csv', 'utf-8', 1, 1, ["col1:VARCHAR"])],
  ['duckdb-csv/real/greek_utf8.csv', ok('greek_utf8', 'csv', 'utf-8', 8, 3, ["column0:BIGINT", "column1:VARCHAR", "column2:BIGINT"])],
  ['duckdb-csv/real/ncvoter.csv', ok('ncvoter', 'tsv', 'utf-8', 10, 94, ["column00:BIGINT", "column01:VARCHAR", "column02:VARCHAR"])],
  ['duckdb-csv/real/ontime_sample.csv', ok('ontime_sample', 'csv', 'utf-8', 9, 110, ["Year:BIGINT", "Quarter:BIGINT", "Month:BIGINT"])],
  ['duckdb-csv/sample-0.csv', ok('sample_0', 'csv', 'utf-8-bom', 3, 17, ["trade_day:DATE", "product:VARCHAR", "exchange_time:TIMESTAMP"])],
  ['duckdb-csv/test/mixed_line_endings.csv', ok('mixed_line_endings', 'csv', 'utf-8', 3, 3, ["column0:BIGINT", "column1:VARCHAR", "column2:BIGINT"])],
  ['duckdb-csv/test/unterminated.csv', ok('unterminated', 'csv', 'utf-8', 2, 1, ["\"hello:VARCHAR"])],
  ['duckdb-csv/thousands_separator/simple_quoted.csv', ok('simple_quoted', 'csv', 'utf-8', 4, 1, ["100,000.00:VARCHAR"])],
  ['duckdb-csv/timestamp_with_tz.csv', ok('timestamp_with_tz', 'csv', 'utf-8', 2, 2, ["id:BIGINT", "timestamps:TIMESTAMP WITH TIME ZONE"])],
  ['duckdb-csv/titanic.csv', ok('titanic', 'csv', 'utf-8', 891, 12, ["PassengerId:BIGINT", "Survived:BIGINT", "Pclass:BIGINT"])],
  // Stock DuckDB reads one wide column named after the first line (5 rows); the ';' outside quotes splits it.
  ['duckdb-csv/unescaped_quotes/unescaped_quote.csv', ok('unescaped_quote', 'csv', 'utf-8', 6, 2, ["column0:BIGINT", "column1:VARCHAR"])],
  ['duckdb-csv/weather.csv', ok('weather', 'csv', 'utf-8', 366, 7, ["date:DATE", "maximum_temperature:BIGINT", "minimum_temperature:BIGINT"])],
  ['duckdb-json/14167.json', ok('t_14167', 'ndjson', 'utf-8', 1, 2, ["location:VARCHAR", "columns:STRUCT(\"v4_c30\" STRUCT(\"statistics\" STRUCT(\"non…"])],
  ['duckdb-json/different_schemas.ndjson', ok('different_schemas', 'ndjson', 'utf-8', 5, 2, ["id:BIGINT", "name:VARCHAR"])],
  ['duckdb-json/duplicate_column_names.json', ok('duplicate_column_names', 'ndjson', 'utf-8', 1, 4, ["id:BIGINT", "Id_1:BIGINT", "iD_2:BIGINT"])],
  // Stock DuckDB only counts it; a full read stops at the repeated key, so the first value is kept.
  ['duckdb-json/duplicate_key.ndjson', ok('duplicate_key', 'ndjson', 'utf-8', 5, 2, ["id:BIGINT", "name:VARCHAR"])],
  ['duckdb-json/empty.ndjson', fails('VALIDATION', "empty.ndjson is empty (0 bytes); there is nothing to import.")],
  ['duckdb-json/example_n.ndjson', ok('example_n', 'ndjson', 'utf-8', 5, 2, ["id:BIGINT", "name:VARCHAR"])],
  ['duckdb-json/example_r.ndjson', ok('example_r', 'ndjson', 'utf-8', 5, 2, ["id:BIGINT", "name:VARCHAR"])],
  ['duckdb-json/example_rn.ndjson', ok('example_rn', 'ndjson', 'utf-8', 5, 2, ["id:BIGINT", "name:VARCHAR"])],
  ['duckdb-json/example_rn.ndjson.gz', ok('example_rn_2', 'ndjson', 'utf-8', 5, 2, ["id:BIGINT", "name:VARCHAR"])],
  ['duckdb-json/geojson/features.geojson', ok('features', 'json', 'utf-8', 1, 3, ["type:VARCHAR", "name:VARCHAR", "features:STRUCT(\"type\" VARCHAR, \"geometry\" STRUCT(\"type…"])],
  ['duckdb-json/inconsistent_schemas.ndjson', ok('inconsistent_schemas', 'ndjson', 'utf-8', 5, 2, ["id:JSON", "name:VARCHAR"])],
  ['duckdb-json/internal_2732.json', ok('internal_2732', 'ndjson', 'utf-8', 1, 3, ["data:STRUCT(\"attachments\" STRUCT(\"media_keys\" VARCHAR, …", "includes:STRUCT(\"users\" STRUCT(\"created_at\" TIMESTAMP, …", "errors:JSON"])],
  ['duckdb-json/malformed/array_comma_malformed.json', fails('VALIDATION', "array_comma_malformed.json: malformed JSON at value 2 (byte 1 of it): unexpected character.")],
  ['duckdb-json/map_of_nulls.jsonl', ok('map_of_nulls', 'ndjson', 'utf-8', 100, 1, ["a:MAP(VARCHAR, VARCHAR)"])],
  ['duckdb-json/map_of_structs.jsonl', ok('map_of_structs', 'ndjson', 'utf-8', 100, 1, ["a:MAP(VARCHAR, STRUCT(\"b\" BIGINT))"])],
  ['duckdb-json/multiple_objects_per_line.ndjson', ok('multiple_objects_per_line', 'ndjson', 'utf-8', 5, 2, ["id:BIGINT", "name:VARCHAR"])],
  ['duckdb-json/sample_utf8_bom.json', ok('sample_utf8_bom', 'json', 'utf-8-bom', 1, 2, ["users:STRUCT(\"id\" BIGINT, \"name\" VARCHAR, \"email\" VARCHAR)[]", "metadata:STRUCT(\"description\" VARCHAR, \"version\" VARCHA…"])],
  ['duckdb-json/timestamp_example.json', ok('timestamp_example', 'ndjson', 'utf-8', 1, 1, ["createdAt:TIMESTAMP"])],
  ['duckdb-json/top_level_array.json', ok('top_level_array', 'json', 'utf-8', 2, 1, ["conclusion:VARCHAR"])],
  ['duckdb-json/top_level_two_arrays.json', ok('top_level_two_arrays', 'json', 'utf-8', 2, 1, ["json:STRUCT(\"conclusion\" VARCHAR)[]"])],
  ['duckdb-json/trailing_content.ndjson', fails('VALIDATION', "trailing_content.ndjson: malformed JSON at line 3 (byte 8 of that line): unexpected content after document.")],
  ['duckdb-json/unterminated_quotes.ndjson', fails('VALIDATION', "unterminated_quotes.ndjson: malformed JSON at line 4 (byte 26 of that line): unexpected control character in string.")],
  ['duckdb-json/whitespace_only.json', fails('VALIDATION', "whitespace_only.json holds only whitespace; there is nothing to import.")],
  ['duckdb-json/with_list.json', ok('with_list', 'ndjson', 'utf-8', 5, 2, ["id:BIGINT", "name:VARCHAR[]"])],
  ['duckdb-json/with_uuid.json', ok('with_uuid', 'ndjson', 'utf-8', 5, 2, ["id:UUID", "name:VARCHAR"])],
  ['duckdb-parquet/arrow_uuid-arrow.parquet', ok('arrow_uuid_arrow', 'parquet', null, 40, 1, ["u:UUID"])],
  ['duckdb-parquet/aws1.snappy.parquet', ok('aws1_snappy', 'parquet', null, 6347, 110, ["identity_line_item_id:VARCHAR", "identity_time_interval:VARCHAR", "bill_invoice_id:VARCHAR"])],
  ['duckdb-parquet/blob.parquet', ok('blob', 'parquet', null, 3, 3, ["ids:BIGINT", "blobs:BLOB", "strings:VARCHAR"])],
  ['duckdb-parquet/broken_broken_date.parquet', fails('VALIDATION', "broken_broken_date.parquet: the Parquet file is damaged or uses a layout DuckDB cannot read (DATE converted type can only be set for value of Type::INT32).")],
  ['duckdb-parquet/bug14120-dict-nulls-only.parquet', ok('bug14120_dict_nulls_only', 'parquet', null, 187, 3, ["id:BIGINT", "cancelled_at:TIMESTAMP WITH TIME ZONE", "location_id:DOUBLE"])],
  ['duckdb-parquet/compression_generated_data_page_1_BROTLI.parquet', ok('compression_generated_data_page_1_brotli', 'parquet', null, 30, 4, ["plain:BIGINT", "plain_random:BIGINT", "nested_nulls:STRUCT(\"string\" VARCHAR, \"int\" BIGINT)"])],
  ['duckdb-parquet/compression_generated_data_page_1_GZIP.parquet', ok('compression_generated_data_page_1_gzip', 'parquet', null, 30, 4, ["plain:BIGINT", "plain_random:BIGINT", "nested_nulls:STRUCT(\"string\" VARCHAR, \"int\" BIGINT)"])],
  ['duckdb-parquet/compression_generated_data_page_1_ZSTD.parquet', ok('compression_generated_data_page_1_zstd', 'parquet', null, 30, 4, ["plain:BIGINT", "plain_random:BIGINT", "nested_nulls:STRUCT(\"string\" VARCHAR, \"int\" BIGINT)"])],
  ['duckdb-parquet/date-with-timezone-int64.parquet', ok('date_with_timezone_int64', 'parquet', null, 1, 32, ["COL_NUMBER:TINYINT", "COL_DECIMAL:TINYINT", "COL_NUMERIC:TINYINT"])],
  ['duckdb-parquet/decimals.parquet', ok('decimals', 'parquet', null, 2, 4, ["l1:DECIMAL(3,2)", "l2:DECIMAL(8,2)", "l3:DECIMAL(15,2)"])],
  ['duckdb-parquet/empty.parquet', ok('empty', 'parquet', null, 0, 2, ["col1:INTEGER", "__index_level_0__:INTEGER"])],
  ['duckdb-parquet/enum.parquet', ok('enum', 'parquet', null, 2, 7, ["id:BLOB", "parent_id:BLOB", "trace_id:BLOB"])],
  ['parquet-testing/LICENSE.txt', ok('license', 'csv', 'utf-8', 200, 1, ["Apache License:VARCHAR"])],
  ['parquet-testing/bad_data/ARROW-GH-41321.parquet', fails('VALIDATION', "ARROW-GH-41321.parquet: the Parquet file is damaged or uses a layout DuckDB cannot read (Geoparquet column 'geometry' does not have geometry types).")],
  ['parquet-testing/bad_data/ARROW-GH-43605.parquet', ok('arrow_gh_43605', 'parquet', null, 21186, 1, ["min_fl:USMALLINT"])],
  // Stock DuckDB counts its rows from the footer, but no value can be read.
  ['parquet-testing/bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet', fails('VALIDATION', "ARROW-RS-GH-6229-DICTHEADER.parquet: the Parquet file is damaged or uses a layout DuckDB cannot read (TProtocolException: Invalid data).")],
  ['parquet-testing/bad_data/PARQUET-1481.parquet', fails('VALIDATION', "PARQUET-1481.parquet: the Parquet file is damaged or uses a layout DuckDB cannot read (TProtocolException: Invalid data).")],
  ['parquet-testing/bad_data/README.md', ok('readme_md', 'csv', 'utf-8', 36, 1, ["<!--:VARCHAR"])],
  ['parquet-testing/data/README.md', ok('readme_md_2', 'tsv', 'utf-8', 589, 1, ["<!--:VARCHAR"])],
  ['parquet-testing/data/alltypes_dictionary.parquet', ok('alltypes_dictionary', 'parquet', null, 2, 11, ["id:INTEGER", "bool_col:BOOLEAN", "tinyint_col:INTEGER"])],
  ['parquet-testing/data/alltypes_plain.parquet', ok('alltypes_plain', 'parquet', null, 8, 11, ["id:INTEGER", "bool_col:BOOLEAN", "tinyint_col:INTEGER"])],
  ['parquet-testing/data/alltypes_plain.snappy.parquet', ok('alltypes_plain_snappy', 'parquet', null, 2, 11, ["id:INTEGER", "bool_col:BOOLEAN", "tinyint_col:INTEGER"])],
  ['parquet-testing/data/alltypes_tiny_pages.parquet', ok('alltypes_tiny_pages', 'parquet', null, 7300, 13, ["id:INTEGER", "bool_col:BOOLEAN", "tinyint_col:TINYINT"])],
  ['parquet-testing/data/binary.parquet', ok('binary', 'parquet', null, 12, 1, ["foo:BLOB"])],
  ['parquet-testing/data/byte_array_decimal.parquet', ok('byte_array_decimal', 'parquet', null, 24, 1, ["value:DECIMAL(4,2)"])],
  ['parquet-testing/data/byte_stream_split.zstd.parquet', ok('byte_stream_split_zstd', 'parquet', null, 300, 2, ["f32:FLOAT", "f64:DOUBLE"])],
  ['parquet-testing/data/column_chunk_key_value_metadata.parquet', ok('column_chunk_key_value_metadata', 'parquet', null, 0, 2, ["column1:INTEGER", "column2:INTEGER"])],
  ['parquet-testing/data/concatenated_gzip_members.parquet', ok('concatenated_gzip_members', 'parquet', null, 513, 1, ["long_col:UBIGINT"])],
  ['parquet-testing/data/datapage_v1-corrupt-checksum.parquet', ok('datapage_v1_corrupt_checksum', 'parquet', null, 5120, 2, ["a:INTEGER", "b:INTEGER"])],
  ['parquet-testing/data/datapage_v2.snappy.parquet', ok('datapage_v2_snappy', 'parquet', null, 5, 5, ["a:VARCHAR", "b:INTEGER", "c:DOUBLE"])],
  ['parquet-testing/data/datapage_v2_empty_datapage.snappy.parquet', ok('datapage_v2_empty_datapage_snappy', 'parquet', null, 1, 1, ["value:FLOAT"])],
  ['parquet-testing/data/delta_binary_packed.parquet', ok('delta_binary_packed', 'parquet', null, 200, 66, ["bitwidth0:BIGINT", "bitwidth1:BIGINT", "bitwidth2:BIGINT"])],
  ['parquet-testing/data/delta_byte_array.parquet', ok('delta_byte_array', 'parquet', null, 1000, 9, ["c_customer_id:VARCHAR", "c_salutation:VARCHAR", "c_first_name:VARCHAR"])],
  ['parquet-testing/data/delta_encoding_optional_column.parquet', ok('delta_encoding_optional_column', 'parquet', null, 100, 17, ["c_customer_sk:BIGINT", "c_current_cdemo_sk:BIGINT", "c_current_hdemo_sk:BIGINT"])],
  ['parquet-testing/data/delta_length_byte_array.parquet', ok('delta_length_byte_array', 'parquet', null, 1000, 1, ["FRUIT:VARCHAR"])],
  ['parquet-testing/data/dict-page-offset-zero.parquet', ok('dict_page_offset_zero', 'parquet', null, 39, 1, ["l_partkey:INTEGER"])],
  ['parquet-testing/data/encrypt_columns_and_footer.parquet.encrypted', fails('UNSUPPORTED', "encrypt_columns_and_footer.parquet.encrypted: Parquet file is encrypted; PolyStoreIQ cannot read encrypted Parquet. Export an unencrypted copy.")],
  ['parquet-testing/data/fixed_length_decimal.parquet', ok('fixed_length_decimal', 'parquet', null, 24, 1, ["value:DECIMAL(25,2)"])],
  ['parquet-testing/data/fixed_length_decimal_legacy.parquet', ok('fixed_length_decimal_legacy', 'parquet', null, 24, 1, ["value:DECIMAL(13,2)"])],
  ['parquet-testing/data/float16_nonzeros_and_nans.parquet', ok('float16_nonzeros_and_nans', 'parquet', null, 8, 1, ["x:FLOAT"])],
  ['parquet-testing/data/geospatial/geospatial.parquet', ok('geospatial', 'parquet', null, 196, 3, ["group:VARCHAR", "wkt:VARCHAR", "geometry:GEOMETRY"])],
  // Stock DuckDB counts rows from the footer but cannot decompress a page (LZ4 with Hadoop framing).
  ['parquet-testing/data/hadoop_lz4_compressed.parquet', fails('VALIDATION', "hadoop_lz4_compressed.parquet: the Parquet file is compressed with LZ4, which DuckDB cannot read. Rewrite it with snappy, zstd, gzip or lz4_raw compression.")],
  ['parquet-testing/data/incorrect_map_schema.parquet', ok('incorrect_map_schema', 'parquet', null, 1, 1, ["my_map:MAP(VARCHAR, VARCHAR)"])],
  ['parquet-testing/data/int32_decimal.parquet', ok('int32_decimal', 'parquet', null, 24, 1, ["value:DECIMAL(4,2)"])],
  ['parquet-testing/data/int64_decimal.parquet', ok('int64_decimal', 'parquet', null, 24, 1, ["value:DECIMAL(10,2)"])],
  ['parquet-testing/data/int96_from_spark.parquet', ok('int96_from_spark', 'parquet', null, 6, 1, ["a:TIMESTAMP"])],
  ['parquet-testing/data/large_string_map.brotli.parquet', ok('large_string_map_brotli', 'parquet', null, 2, 1, ["arr:MAP(VARCHAR, INTEGER)"])],
  ['parquet-testing/data/list_columns.parquet', ok('list_columns', 'parquet', null, 3, 2, ["int64_list:BIGINT[]", "utf8_list:VARCHAR[]"])],
  ['parquet-testing/data/lz4_raw_compressed.parquet', ok('lz4_raw_compressed', 'parquet', null, 4, 3, ["c0:BIGINT", "c1:BLOB", "v11:DOUBLE"])],
  ['parquet-testing/data/map_no_value.parquet', fails('VALIDATION', "map_no_value.parquet: the Parquet file is damaged or uses a layout DuckDB cannot read (MAP_KEY_VALUE requires two children).")],
  ['parquet-testing/data/nan_in_stats.parquet', ok('nan_in_stats', 'parquet', null, 2, 1, ["x:DOUBLE"])],
  ['parquet-testing/data/nation.dict-malformed.parquet', ok('nation_dict_malformed', 'parquet', null, 25, 4, ["nation_key:INTEGER", "name:BLOB", "region_key:INTEGER"])],
  ['parquet-testing/data/nested_lists.snappy.parquet', ok('nested_lists_snappy', 'parquet', null, 3, 2, ["a:VARCHAR[][][]", "b:INTEGER"])],
  ['parquet-testing/data/nested_maps.snappy.parquet', ok('nested_maps_snappy', 'parquet', null, 6, 3, ["a:MAP(VARCHAR, MAP(INTEGER, BOOLEAN))", "b:INTEGER", "c:DOUBLE"])],
  ['parquet-testing/data/nested_structs.rust.parquet', ok('nested_structs_rust', 'parquet', null, 1, 36, ["roll_num:STRUCT(\"min\" BIGINT, \"max\" BIGINT, \"mean\" BIGI…", "PC_CUR:STRUCT(\"min\" BIGINT, \"max\" BIGINT, \"mean\" BIGINT…", "CVA_2012:STRUCT(\"min\" BIGINT, \"max\" BIGINT, \"mean\" BIGI…"])],
  ['parquet-testing/data/non_hadoop_lz4_compressed.parquet', fails('VALIDATION', "non_hadoop_lz4_compressed.parquet: the Parquet file is compressed with LZ4, which DuckDB cannot read. Rewrite it with snappy, zstd, gzip or lz4_raw compression.")],
  ['parquet-testing/data/nonnullable.impala.parquet', ok('nonnullable_impala', 'parquet', null, 1, 6, ["ID:BIGINT", "Int_Array:INTEGER[]", "int_array_array:INTEGER[][]"])],
  ['parquet-testing/data/null_list.parquet', ok('null_list', 'parquet', null, 1, 1, ["emptylist:INTEGER[]"])],
  ['parquet-testing/data/nullable.impala.parquet', ok('nullable_impala', 'parquet', null, 7, 6, ["id:BIGINT", "int_array:INTEGER[]", "int_array_Array:INTEGER[][]"])],
  ['parquet-testing/data/nulls.snappy.parquet', ok('nulls_snappy', 'parquet', null, 8, 1, ["b_struct:STRUCT(\"b_c_int\" INTEGER)"])],
  ['parquet-testing/data/old_list_structure.parquet', ok('old_list_structure', 'parquet', null, 1, 1, ["a:INTEGER[][]"])],
  ['parquet-testing/data/repeated_no_annotation.parquet', ok('repeated_no_annotation', 'parquet', null, 6, 2, ["id:INTEGER", "phoneNumbers:STRUCT(\"phone\" STRUCT(\"number\" BIGINT, \"ki…"])],
  ['parquet-testing/data/repeated_primitive_no_list.parquet', ok('repeated_primitive_no_list', 'parquet', null, 4, 3, ["Int32_list:INTEGER[]", "String_list:VARCHAR[]", "group_of_lists:STRUCT(\"Int32_list_in_group\" INTEGER[], …"])],
  ['parquet-testing/data/rle_boolean_encoding.parquet', ok('rle_boolean_encoding', 'parquet', null, 68, 1, ["datatype_boolean:BOOLEAN"])],
  ['parquet-testing/data/single_nan.parquet', ok('single_nan', 'parquet', null, 1, 1, ["mycol:DOUBLE"])],
  ['parquet-testing/data/sort_columns.parquet', ok('sort_columns', 'parquet', null, 6, 2, ["a:BIGINT", "b:VARCHAR"])],
  ['parquet-testing/data/uniform_encryption.parquet.encrypted', fails('UNSUPPORTED', "uniform_encryption.parquet.encrypted: Parquet file is encrypted; PolyStoreIQ cannot read encrypted Parquet. Export an unencrypted copy.")],
  ['parquet-testing/data/unknown-logical-type.parquet', ok('unknown_logical_type', 'parquet', null, 3, 2, ["column with known type:VARCHAR", "column with unknown type:BLOB"])],
];

/** Stock DuckDB "reads" these only as far as counting rows from the footer; selecting any value fails. */
const DUCKDB_COUNTS_ONLY = [
  'parquet-testing/bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet',
  'parquet-testing/data/hadoop_lz4_compressed.parquet',
  'parquet-testing/data/non_hadoop_lz4_compressed.parquet',
];
/** Stock DuckDB makes a 0-row table with a made-up column of these; PolyStoreIQ says the file is empty instead. */
const EMPTY_FILES = ['duckdb-csv/empty.csv', 'duckdb-json/empty.ndjson', 'duckdb-json/whitespace_only.json'];
/** Its pages inflate to 2 GB of map keys (1 GiB strings): importable, but reading it takes DuckDB tens of seconds. */
const INFLATING = 'parquet-testing/data/large_string_map.brotli.parquet';

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(ROOT, path.join(d.parentPath, d.name)))
    .sort();
}

function probeResults(): Map<string, string> {
  const lines = fs.readFileSync(path.join(ROOT, 'DUCKDB_PROBE_RESULTS.tsv'), 'utf8').trim().split('\n');
  return new Map(lines.map((line) => line.split('\t')).map(([status, file]) => [file!, status!]));
}

const work = tempDir('polystore-files-corpus-');
const files = listFiles(ROOT);
const spec: ConnectionSpec = {
  sourceId: 'corpus',
  type: 'file',
  connection: { paths: files.map((f) => path.join(ROOT, f)) },
  password: null,
  settings: SourceSettings.parse({ statementTimeoutMs: 30_000, rowLimit: 1000, allowSampleValues: false, sampleSize: 1000 }),
  workDir: work.path,
};
const connector = createFilesConnector();
let report: ImportReport;
const byFile = new Map<string, FileImportResult>();

test.before(async () => {
  report = await importFiles(spec, { signal: AbortSignal.timeout(300_000) });
  for (const result of report.files) byFile.set(path.relative(ROOT, result.path), result);
});
test.after(async () => {
  await connector.close();
  work.remove();
});

test('the table names every file in the test data folder, and nothing else', () => {
  assert.equal(EXPECTED.map(([file]) => file).sort(), files);
  assert.is(report.files.length, files.length);
});

for (const [file, expected] of EXPECTED) {
  test(`${file}: ${expected.ok ? `imports as ${expected.table}` : `fails with ${expected.code}`}`, () => {
    const result = byFile.get(file);
    assert.ok(result, `no result for ${file}`);
    if (!expected.ok) {
      assert.is(result.ok, false, `${file} imported but should fail`);
      if (!result.ok) {
        assert.is(result.error.code, expected.code);
        assert.is(result.error.message, expected.message);
      }
      return;
    }
    if (!result.ok) assert.unreachable(`${file} failed: ${result.error.message}`);
    else {
      const p = result.provenance;
      assert.is(p.table, expected.table);
      assert.is(p.format, expected.format);
      assert.is(p.encoding, expected.encoding);
      assert.is(p.rowCount, expected.rows);
      assert.is(p.columns.length, expected.columns);
      const first = p.columns.slice(0, expected.first.length).map((c) => `${c.name}:${c.nativeType}`);
      expected.first.forEach((want, i) => {
        if (want.endsWith('…')) assert.ok(first[i]!.startsWith(want.slice(0, -1)), `${file} column ${i}: ${first[i]}`);
        else assert.is(first[i], want, `${file} column ${i}`);
      });
      assert.is(p.kind, p.format === 'parquet' ? 'view' : 'table');
      assert.match(p.sha256, /^[0-9a-f]{64}$/);
    }
  });
}

test('PolyStoreIQ reads every file stock DuckDB reads, except the documented ones', () => {
  const probe = probeResults();
  for (const [file, status] of probe) {
    if (status !== 'OK') continue;
    if (DUCKDB_COUNTS_ONLY.includes(file) || EMPTY_FILES.includes(file)) continue;
    assert.ok(byFile.get(file)?.ok, `${file} reads in stock DuckDB but did not import`);
  }
  // And reads the encodings stock DuckDB cannot.
  for (const file of ['duckdb-csv/encodings/latin1.csv', 'duckdb-csv/encodings/shift_jis.csv', 'duckdb-csv/encodings/utf16.csv', 'duckdb-csv/error/banklist.csv']) {
    assert.is(probe.get(file), 'ERR');
    assert.ok(byFile.get(file)?.ok, file);
  }
});

test('the Parquet files stock DuckDB only counts cannot be read by stock DuckDB either', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const file of DUCKDB_COUNTS_ONLY) {
      const sql = `SELECT * FROM read_parquet('${path.join(ROOT, file).replaceAll("'", "''")}')`;
      const count = await connection.runAndReadAll(`SELECT count(*) FROM (${sql})`);
      assert.ok(Number(count.getColumnsJS()[0]![0]) > 0, `${file} counts rows in stock DuckDB`);
      try {
        await connection.runAndReadAll(sql);
        assert.unreachable(`${file} was readable in stock DuckDB`);
      } catch (error) {
        assert.not.instance(error, assert.Assertion);
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

test('every imported table answers queries through the locked-down connector with its imported row count', async () => {
  for (const result of report.files) {
    if (!result.ok) continue;
    const { table, rowCount } = result.provenance;
    const counted = await connector.execute(spec, `SELECT count(*) AS n FROM "${table}"`, { timeoutMs: 60_000, maxRows: 1, signal: AbortSignal.timeout(60_000) });
    assert.equal(counted.rows, [[rowCount]], table);
    if (path.relative(ROOT, result.path) === INFLATING) continue;
    const sample = await connector.execute(spec, `SELECT * FROM "${table}" LIMIT 3`, { timeoutMs: 60_000, maxRows: 3, signal: AbortSignal.timeout(60_000) });
    assert.is(sample.columns.length, result.provenance.columns.length, table);
    assert.is(sample.rowCount, Math.min(3, rowCount), table);
    // Every cell crosses the boundary as JSON.
    assert.equal(JSON.parse(JSON.stringify(sample.rows)), sample.rows, table);
  }
});

test('reading the file whose pages inflate to gigabytes is stopped by the memory limit or the statement timeout', async () => {
  const started = performance.now();
  try {
    await connector.execute(spec, 'SELECT * FROM large_string_map_brotli', { timeoutMs: 1_000, maxRows: 10, signal: AbortSignal.timeout(60_000) });
    assert.unreachable('should be stopped');
  } catch (error) {
    // Which limit comes first depends on the machine: DuckDB's memory_limit (the source's, 2 GB) or the 1 s timeout.
    assert.ok(error instanceof TimeoutError || (error instanceof ConnectorError && error.details?.kind === 'MEMORY_LIMIT'), String(error));
  }
  assert.ok(performance.now() - started < 5_000, 'the interrupt reached DuckDB promptly');
});

test.run();
