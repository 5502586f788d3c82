package io.braid.store.page;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The two copies of the page store metadata (docs/storage.md "Metadata mirror"): at open, each
 * copy's checkpoint and journal are checked (checksums, sequence numbers), the valid copy that
 * reaches the higher sequence number wins, and the other copy is replaced by the winner's files.
 */
final class MetadataMirror {
    private static final Logger log = LoggerFactory.getLogger(MetadataMirror.class);

    private MetadataMirror() {
    }

    /** What one copy holds: nothing, a valid store up to {@code lastSeq}, or damage. */
    record Survey(Path dir, boolean empty, UUID storeId, long lastSeq, String problem) {
        boolean valid() {
            return !empty && problem == null;
        }
    }

    static Survey survey(Path dir) {
        try {
            Checkpoint.Image img = Checkpoint.read(dir);
            if (img == null) {
                if (hasJournal(dir)) {
                    return new Survey(dir, false, null, -1, "journal segments but no checkpoint");
                }
                return new Survey(dir, true, null, -1, null);
            }
            Journal.Replay r = Journal.replay(dir, img.lastSeq(), rec -> { });
            return new Survey(dir, false, img.storeId(), r.lastSeq(), null);
        } catch (IOException | RuntimeException e) {
            return new Survey(dir, false, null, -1, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static boolean hasJournal(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "journal-*.log")) {
            return ds.iterator().hasNext();
        }
    }

    /**
     * Makes both copies equal to the better one and returns it; both empty means a new store.
     *
     * @throws MetadataCorruptedException when neither copy is valid, or they belong to different stores
     */
    static Survey reconcile(Path primary, Path mirror) throws IOException {
        Survey a = survey(primary);
        Survey b = survey(mirror);
        if (a.empty() && b.empty()) {
            return a;
        }
        if (!a.valid() && !b.valid()) {
            throw new MetadataCorruptedException("both copies of the page store metadata are unusable: "
                    + describe(a) + "; " + describe(b));
        }
        if (a.valid() && b.valid() && !a.storeId().equals(b.storeId())) {
            throw new MetadataCorruptedException("the page store metadata in " + primary + " (store "
                    + a.storeId() + ") and its mirror " + mirror + " (store " + b.storeId()
                    + ") belong to different stores; point metadataMirror at this store's own mirror");
        }
        Survey win = !b.valid() || (a.valid() && a.lastSeq() >= b.lastSeq()) ? a : b;
        Survey lose = win == a ? b : a;
        if (lose.valid() && lose.lastSeq() == win.lastSeq() && sameFiles(win.dir(), lose.dir())) {
            return win;
        }
        log.warn("page store metadata: {} is {}; restoring it from {} (up to record {})", lose.dir(),
                describe(lose), win.dir(), win.lastSeq());
        copy(win.dir(), lose.dir());
        return win;
    }

    private static String describe(Survey s) {
        if (s.empty()) {
            return s.dir() + " is empty";
        }
        return s.problem() != null ? s.dir() + ": " + s.problem() : s.dir() + " up to record " + s.lastSeq();
    }

    private static List<Path> files(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.equals(Checkpoint.FILE) || (n.startsWith("journal-") && n.endsWith(".log"))) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static boolean sameFiles(Path a, Path b) throws IOException {
        List<Path> fa = files(a);
        if (fa.size() != files(b).size()) {
            return false;
        }
        for (Path p : fa) {
            Path q = b.resolve(p.getFileName());
            if (!Files.exists(q) || Files.mismatch(p, q) != -1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Replaces the metadata files in {@code to} by copies of those in {@code from}. The journal
     * segments go first and the checkpoint last (each copied to a temporary name, forced and renamed),
     * so a copy interrupted by a crash never reaches further than the source and loses the next
     * comparison.
     */
    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        Files.deleteIfExists(to.resolve(Checkpoint.FILE));
        for (Path p : files(to)) {
            Files.deleteIfExists(p);
        }
        Files.deleteIfExists(to.resolve(Checkpoint.FILE + ".tmp"));
        Checkpoint.syncDirectory(to);
        Path checkpoint = null;
        for (Path p : files(from)) {
            if (p.getFileName().toString().equals(Checkpoint.FILE)) {
                checkpoint = p;
            } else {
                copyFile(p, to);
            }
        }
        if (checkpoint != null) {
            copyFile(checkpoint, to);
        }
        Checkpoint.syncDirectory(to);
    }

    private static void copyFile(Path p, Path to) throws IOException {
        Path tmp = to.resolve(p.getFileName() + ".copy");
        Files.copy(p, tmp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
