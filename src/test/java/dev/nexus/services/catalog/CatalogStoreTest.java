package dev.nexus.services.catalog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.support.NexusPaths;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogStoreTest {
    @TempDir
    Path root;
    NexusPaths paths;
    CatalogCodec codec;
    CatalogStore store;
    Path file;

    @BeforeEach
    void setUp() {
        paths = new NexusPaths(root);
        codec = new CatalogCodec(paths);
        store = new CatalogStore(paths, codec);
        file = paths.catalogFile();
    }

    @Test
    void firstRunCreatesTheDefaultsFile() throws IOException {
        assertFalse(Files.exists(paths.state()));
        LoadResult result = store.load();
        assertTrue(result.createdDefaults());
        assertFalse(result.usedLastGood());
        assertTrue(result.ok());
        assertEquals(file, result.file());
        Catalog defaults = NexusDefaults.catalog(paths);
        assertEquals(defaults, result.catalog());
        assertEquals(defaults, store.current());
        assertEquals(codec.write(defaults, null), Files.readString(file));
        assertEquals(List.of("services.json"), listing(paths.state()));
        assertOwnerOnly(file);

        LoadResult again = store.load();
        assertFalse(again.createdDefaults());
        assertEquals(defaults, again.catalog());
    }

    @Test
    void badFileKeepsTheLastGoodCatalogAndIsLeftUntouched() throws IOException {
        Files.createDirectories(paths.state());
        Catalog good = withCollab(NexusDefaults.catalog(paths), "wss://collab.example/ws");
        Files.writeString(file, codec.write(good, null));
        assertEquals(good, store.load().catalog());

        String broken = "{\n  \"version\": 1,\n  \"services\": [\n    {\"name\": \"gateway\", \"port\": 70000}\n  ]\n}\n";
        Files.writeString(file, broken);
        FileTime modified = Files.getLastModifiedTime(file);
        LoadResult result = store.load();
        assertTrue(result.usedLastGood());
        assertFalse(result.createdDefaults());
        assertEquals(good, result.catalog(), "the last good catalog, not the defaults");
        assertEquals(good, store.current());
        assertEquals(List.of("services.json:4:25: /services/0/port: must be between 1 and 65535, got 70000"),
                result.errors().stream().filter(p -> p.pointer().endsWith("port")).map(Object::toString).toList());
        assertTrue(result.errors().stream().anyMatch(p -> p.message().startsWith("command is required")));
        assertEquals(broken, Files.readString(file));
        assertEquals(modified, Files.getLastModifiedTime(file));
        assertEquals(List.of("services.json"), listing(paths.state()));

        // Fixing the file brings it back into force.
        Files.writeString(file, codec.write(NexusDefaults.catalog(paths), null));
        LoadResult fixed = store.load();
        assertFalse(fixed.usedLastGood());
        assertEquals(NexusDefaults.catalog(paths), store.current());
    }

    @Test
    void badFileOnTheFirstLoadFallsBackToTheDefaultsWithoutWritingThem() throws IOException {
        Files.createDirectories(paths.state());
        byte[] broken = "{ \"version\": 1, \"services\": [ }".getBytes(StandardCharsets.UTF_8);
        Files.write(file, broken);
        LoadResult result = store.load();
        assertTrue(result.usedLastGood());
        assertFalse(result.createdDefaults());
        assertEquals(NexusDefaults.catalog(paths), result.catalog());
        assertEquals(1, result.errors().size());
        assertEquals(1, result.errors().get(0).line());
        assertTrue(result.errors().get(0).message().startsWith("invalid JSON"), result.errors().toString());
        assertArrayEquals(broken, Files.readAllBytes(file));
        assertEquals(List.of("services.json"), listing(paths.state()));
    }

    @Test
    void unreadableFilesAreReportedNotThrown() throws IOException {
        Files.createDirectories(paths.state());
        Files.write(file, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        LoadResult notUtf8 = store.load();
        assertTrue(notUtf8.usedLastGood());
        assertEquals("services.json: the file is not UTF-8 text; save it as UTF-8", notUtf8.errors().get(0).toString());

        Files.delete(file);
        Files.createDirectory(file);
        LoadResult directory = store.load();
        assertTrue(directory.usedLastGood());
        assertTrue(directory.errors().get(0).message().startsWith("cannot read the file: "), directory.errors().toString());
    }

    @Test
    void byteOrderMarkIsAccepted() throws IOException {
        Files.createDirectories(paths.state());
        Files.writeString(file, "\uFEFF" + codec.write(NexusDefaults.catalog(paths), null));
        assertTrue(store.load().ok());
    }

    @Test
    void unknownFieldsAreKeptAcrossASave() throws Exception {
        Files.createDirectories(paths.state());
        String text = """
                {
                  "version": 1,
                  "services": [
                    {
                      "name": "gateway",
                      "command": ["nexus", "gateway-daemon"],
                      "port": 18789,
                      "team": "platform",
                      "probes": {"liveness": {"type": "tcp", "port": 18789, "note": "keep"}}
                    }
                  ],
                  "editor": {"lastOpened": "2024-01-01"}
                }
                """;
        Files.writeString(file, text);
        LoadResult loaded = store.load();
        assertEquals(3, loaded.warnings().size(), () -> loaded.warnings().toString());

        Catalog edited = new Catalog(1, List.of(loaded.catalog().services().get(0).withEnabled(false)));
        store.save(edited);

        String saved = Files.readString(file);
        assertTrue(saved.contains("\"team\": \"platform\""), saved);
        assertTrue(saved.contains("\"note\": \"keep\""), saved);
        assertTrue(saved.contains("\"lastOpened\": \"2024-01-01\""), saved);
        assertTrue(saved.contains("\"enabled\": false"), saved);
        assertEquals(edited, store.current());

        CatalogStore fresh = new CatalogStore(paths, codec);
        LoadResult reloaded = fresh.load();
        assertEquals(edited, reloaded.catalog());
        assertEquals(3, reloaded.warnings().size());
        assertOwnerOnly(file);
    }

    @Test
    void saveRefusesAnInvalidCatalogAndLeavesTheFileAlone() throws Exception {
        store.load();
        byte[] before = Files.readAllBytes(file);
        List<ServiceSpec> services = new ArrayList<>(store.current().services());
        ServiceSpec gw = services.get(0);
        services.set(0, new ServiceSpec(gw.name(), gw.displayName(), gw.kind(), gw.enabled(), gw.command(),
                gw.workingDir(), gw.env(), gw.manager(), List.of("gateway"), 70000, gw.probes(), gw.restart(),
                gw.stopTimeout(), gw.log(), gw.children(), gw.job(), gw.url()));

        CatalogException e = assertThrows(CatalogException.class, () -> store.save(new Catalog(1, services)));
        assertEquals(List.of("/services/0/dependsOn/0", "/services/0/port"),
                e.problems().stream().map(CatalogProblem::pointer).sorted().toList());
        assertTrue(e.getMessage().contains("must be between 1 and 65535, got 70000"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(NexusDefaults.catalog(paths), store.current());
        assertEquals(List.of("services.json"), listing(paths.state()));
    }

    @Test
    void failedWriteLeavesTheOldContentAndNoTemporaryFile() throws Exception {
        // A directory where the file should be: the temporary file is written, then the rename fails.
        Files.createDirectories(file);
        Path inside = file.resolve("keep.txt");
        Files.writeString(inside, "old content");

        CatalogException e = assertThrows(CatalogException.class, () -> store.save(NexusDefaults.catalog(paths)));
        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).message().startsWith("cannot write the file: "), e.problems().toString());
        assertTrue(Files.isDirectory(file));
        assertEquals("old content", Files.readString(inside));
        assertEquals(List.of("services.json"), listing(paths.state()), "no temporary file left behind");
    }

    @Test
    void saveIntoAReadOnlyDirectoryFailsCleanly() throws Exception {
        assumeTrue(root.getFileSystem().supportedFileAttributeViews().contains("posix"));
        store.load();
        byte[] before = Files.readAllBytes(file);
        Set<PosixFilePermission> original = Files.getPosixFilePermissions(paths.state());
        Files.setPosixFilePermissions(paths.state(), PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(paths.state()), "running as root: permissions are not enforced");
            Catalog edited = withCollab(store.current(), "wss://collab.example/ws");
            assertThrows(CatalogException.class, () -> store.save(edited));
            assertArrayEquals(before, Files.readAllBytes(file));
            assertEquals(List.of("services.json"), listing(paths.state()));
        } finally {
            Files.setPosixFilePermissions(paths.state(), original);
        }
    }

    @Test
    void aSymbolicLinkIsWrittenThroughAndKept() throws Exception {
        assumeTrue(root.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path dotfiles = Files.createDirectories(root.resolve("dotfiles"));
        Path real = dotfiles.resolve("services.json");
        Files.writeString(real, codec.write(NexusDefaults.catalog(paths), null));
        Files.createDirectories(paths.state());
        Files.createSymbolicLink(file, real);

        store.load();
        Catalog edited = withCollab(store.current(), "wss://collab.example/ws");
        store.save(edited);

        assertTrue(Files.isSymbolicLink(file));
        assertTrue(Files.readString(real).contains("wss://collab.example/ws"));
        assertEquals(List.of("services.json"), listing(dotfiles));
        assertEquals(edited, new CatalogStore(paths, codec).load().catalog());
    }

    @Test
    void saveWithoutAnyFileCreatesIt() throws Exception {
        Catalog catalog = withCollab(NexusDefaults.catalog(paths), "wss://collab.example/ws");
        store.save(catalog);
        assertEquals(catalog, new CatalogStore(paths, codec).load().catalog());
    }

    @Test
    void currentBeforeLoadIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, store::current);
        assertTrue(e.getMessage().contains("load()"));
    }

    private static Catalog withCollab(Catalog catalog, String url) {
        List<ServiceSpec> services = new ArrayList<>();
        for (ServiceSpec s : catalog.services()) {
            services.add(!s.name().equals("collab") ? s : new ServiceSpec(s.name(), s.displayName(), s.kind(), true,
                    s.command(), s.workingDir(), s.env(), s.manager(), s.dependsOn(), s.port(), s.probes(), s.restart(),
                    s.stopTimeout(), s.log(), s.children(), s.job(), URI.create(url)));
        }
        return new Catalog(catalog.version(), services);
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertOwnerOnly(Path path) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        }
    }
}
