package io.agstorage.chaos;

import io.agstorage.core.testing.TcpProxy;
import java.util.EnumMap;
import java.util.Map;

/**
 * Carries out the faults of a schedule, one at a time, and undoes each before returning (the proxy restored, the
 * role writable again; killed processes are restarted by their supervisors). A fault that could not be carried out
 * (say, pg_ctl failed) is reported and the run goes on.
 */
final class FaultInjector {

    private static final String WRITERS = "FROM pg_stat_activity WHERE usename = '" + ChaosCluster.WRITER_ROLE + "'";

    private final ChaosCluster cluster;
    private final TcpProxy proxy;
    private final ReceiverProcess receiver;
    private final SupervisedChild executionStore;
    private final Map<Fault, Integer> done = new EnumMap<>(Fault.class);

    FaultInjector(ChaosCluster cluster, TcpProxy proxy, ReceiverProcess receiver, SupervisedChild executionStore) {
        this.cluster = cluster;
        this.proxy = proxy;
        this.receiver = receiver;
        this.executionStore = executionStore;
    }

    void inject(Schedule.Event event) throws InterruptedException {
        try {
            run(event.fault(), event.durationMillis());
            done.merge(event.fault(), 1, Integer::sum);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            System.out.println("chaos: fault " + event + " failed: " + e);
        } finally {
            heal();
        }
    }

    private void run(Fault fault, long millis) throws Exception {
        switch (fault) {
            case RESTART_FAST -> cluster.restart("fast");
            case RESTART_IMMEDIATE -> cluster.restart("immediate");
            case TERMINATE_WRITERS -> cluster.execute("SELECT pg_terminate_backend(pid) " + WRITERS);
            case CANCEL_STATEMENTS -> {
                long end = System.nanoTime() + millis * 1_000_000;
                while (System.nanoTime() < end) {
                    cluster.execute("SELECT pg_cancel_backend(pid) " + WRITERS + " AND state = 'active'");
                    Thread.sleep(50);
                }
            }
            case PROXY_STALL -> {
                proxy.stall();
                Thread.sleep(millis);
            }
            case PROXY_CUT -> {
                proxy.cut();
                Thread.sleep(millis);
            }
            case READ_ONLY -> {
                cluster.execute("ALTER ROLE " + ChaosCluster.WRITER_ROLE + " SET default_transaction_read_only = on");
                cluster.execute("SELECT pg_terminate_backend(pid) " + WRITERS);
                Thread.sleep(millis);
                cluster.execute("ALTER ROLE " + ChaosCluster.WRITER_ROLE + " RESET default_transaction_read_only");
                // as after a switch back to a writable primary: the sessions opened meanwhile are read-only
                cluster.execute("SELECT pg_terminate_backend(pid) " + WRITERS);
            }
            case KILL_RECEIVER -> receiver.kill();
            case KILL_EXECUTION_STORE -> executionStore.kill();
        }
    }

    /** Undoes whatever a fault may have left behind. */
    void heal() throws InterruptedException {
        proxy.restore();
        try {
            cluster.execute("ALTER ROLE " + ChaosCluster.WRITER_ROLE + " RESET default_transaction_read_only");
        } catch (java.sql.SQLException e) {
            System.out.println("chaos: cannot reset the writer role: " + e);
        }
    }

    /** The faults carried out, by kind. */
    Map<Fault, Integer> done() {
        return done;
    }

    int total() {
        return done.values().stream().mapToInt(Integer::intValue).sum();
    }
}
