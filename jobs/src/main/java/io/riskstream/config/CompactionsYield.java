package io.riskstream.config;

import java.util.Collection;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.Priority;

/**
 * Runs RocksDB's compactions at the lowest CPU priority, so that they yield the cores to the
 * memtable flushes of a checkpoint's synchronous phase, during which the operator stands still.
 * Flink exposes no setting for this; RocksDB's background pools belong to the process, so lowering
 * the compaction pool once lowers it for every instance.
 */
public final class CompactionsYield implements RocksDBOptionsFactory {
  @Override
  public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
    Env.getDefault().lowerThreadPoolCPUPriority(Priority.LOW);
    return current;
  }

  @Override
  public ColumnFamilyOptions createColumnOptions(
      ColumnFamilyOptions current, Collection<AutoCloseable> handlesToClose) {
    return current;
  }
}
